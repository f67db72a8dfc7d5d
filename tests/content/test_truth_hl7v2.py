"""HL7 v2 parsing: delimiters from MSH-1/MSH-2, the MSH numbering quirk, repetitions,
components, subcomponents, escape sequences and the PID mapping.

Expected values are read off the literal messages below by hand, following HL7 v2.5 field
definitions (MSH-9 message type, MSH-10 control id, PID-3 CX identifiers, PID-5 XPN name,
PID-7 date of birth, PID-8 sex, PID-11 XAD address with postcode in component 5).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Ref = Callable[[str], dict[str, Any]]

SEGMENTS = [
    r"MSH|^~\&|PAS|DEMO-TRUST|EPR|DEMO-TRUST|20261101093015||ADT^A01^ADT_A01|MSG00001|P|2.5",
    r"EVN|A01|20261101093000",
    r"PID|1||D1234567^^^DEMO-TRUST^MR~9990010005^^^NHS^NH||EXAMPLE^ALEX^JO^^MX||19610423|F|||"
    r"1 Example Street&Example Street&1^^Leeds^^XX1 1XX^GBR||07700900123",
    r"PV1|1|I|A\T\E^BAY2^BED3^DEMO-TRUST",
    r"NK1|1|EXAMPLE^PAT|SPO",
    r"NK1|2|EXAMPLE^KIM|CHD",
]
MESSAGE = "\r".join(SEGMENTS)

EXPECTED_PID = {
    "nhs_number": "9990010005",
    "local_identifiers": [{"id": "D1234567", "authority": "DEMO-TRUST", "type": "MR"}],
    "family_name": "EXAMPLE",
    "given_names": ["ALEX", "JO"],
    "date_of_birth": "1961-04-23",
    "sex": "F",
    "postcode": "XX1 1XX",
}


def with_delimiters(message: str, target: str) -> str:
    """Rewrite a message that uses |^~\\& so that it uses the five characters in target."""
    return message.translate(str.maketrans("|^~\\&", target))


@pytest.fixture
def hl7(reference: Ref) -> dict[str, Any]:
    return reference("hl7v2-messages")


@pytest.fixture
def parsed(hl7: dict[str, Any]) -> tuple[list[list[str]], Any]:
    return hl7["parse_message"](MESSAGE), hl7["read_delimiters"](MESSAGE)


def test_delimiters_come_from_msh_1_and_msh_2(hl7: dict[str, Any]) -> None:
    d = hl7["read_delimiters"](MESSAGE)
    assert (d.field, d.component, d.repetition, d.escape, d.subcomponent) == (
        "|",
        "^",
        "~",
        "\\",
        "&",
    )
    custom = hl7["read_delimiters"](with_delimiters(MESSAGE, "#$*!@"))
    assert "".join(custom) == "#$*!@"  # a NamedTuple: field, component, repetition, escape, sub


@pytest.mark.parametrize(
    "bad",
    ["", "PID|1||X", "MSH|^~\\|PAS", "MSH|^^\\&|PAS", "MSH|^~|PAS", "MSHA^~\\&APAS"],
)
def test_messages_without_a_proper_header_are_rejected(hl7: dict[str, Any], bad: str) -> None:
    with pytest.raises(ValueError):
        hl7["read_delimiters"](bad)


def test_msh_numbering_quirk(hl7: dict[str, Any], parsed: tuple[list[list[str]], Any]) -> None:
    segments, d = parsed
    get = hl7["get_value"]
    assert get(segments, d, "MSH", 1) == "|"
    assert get(segments, d, "MSH", 2) == "^~\\&"
    assert get(segments, d, "MSH", 3) == "PAS"
    assert get(segments, d, "MSH", 7) == "20261101093015"
    assert get(segments, d, "MSH", 9, 1, 1) == "ADT"
    assert get(segments, d, "MSH", 9, 1, 2) == "A01"
    assert get(segments, d, "MSH", 9, 1, 3) == "ADT_A01"
    assert get(segments, d, "MSH", 10) == "MSG00001"
    assert get(segments, d, "MSH", 12) == "2.5"
    # A second formulation: after a plain split on "|", MSH-n sits at index n - 1 ...
    naive_msh = SEGMENTS[0].split("|")
    for n in range(2, 13):
        assert hl7["get_field"](segments, "MSH", n) == naive_msh[n - 1]
    # ... while for every other segment, field n is at index n.
    naive_pv1 = SEGMENTS[3].split("|")
    for n in range(1, len(naive_pv1)):
        assert hl7["get_field"](segments, "PV1", n) == naive_pv1[n]


def test_segments_fields_repetitions_components_subcomponents(
    hl7: dict[str, Any], parsed: tuple[list[list[str]], Any]
) -> None:
    segments, d = parsed
    get = hl7["get_value"]
    assert [s[0] for s in segments] == ["MSH", "EVN", "PID", "PV1", "NK1", "NK1"]
    assert hl7["repetition_count"](segments, d, "PID", 3) == 2
    assert hl7["repetition_count"](segments, d, "PID", 2) == 0
    assert get(segments, d, "PID", 3, 1, 1) == "D1234567"
    assert get(segments, d, "PID", 3, 1, 4) == "DEMO-TRUST"
    assert get(segments, d, "PID", 3, 2, 1) == "9990010005"
    assert get(segments, d, "PID", 3, 2, 4) == "NHS"
    assert get(segments, d, "PID", 3, 2, 5) == "NH"
    assert get(segments, d, "PID", 5, 1, 5) == "MX"
    assert get(segments, d, "PID", 11, 1, 1, 1) == "1 Example Street"
    assert get(segments, d, "PID", 11, 1, 1, 2) == "Example Street"
    assert get(segments, d, "PID", 11, 1, 1, 3) == "1"
    assert get(segments, d, "PID", 11, 1, 3) == "Leeds"
    assert get(segments, d, "EVN", 1) == "A01"


def test_absent_values_are_empty(hl7: dict[str, Any], parsed: tuple[list[list[str]], Any]) -> None:
    segments, d = parsed
    get = hl7["get_value"]
    assert get(segments, d, "PID", 2) == ""
    assert get(segments, d, "PID", 3, 3, 1) == ""  # no third repetition
    assert get(segments, d, "PID", 3, 1, 9) == ""  # no ninth component
    assert get(segments, d, "PID", 40) == ""  # beyond the last field
    assert get(segments, d, "OBX", 5) == ""  # no such segment


def test_repeated_segments_by_occurrence(
    hl7: dict[str, Any], parsed: tuple[list[list[str]], Any]
) -> None:
    segments, d = parsed
    get = hl7["get_value"]
    assert get(segments, d, "NK1", 2, 1, 2, occurrence=1) == "PAT"
    assert get(segments, d, "NK1", 2, 1, 2, occurrence=2) == "KIM"
    assert get(segments, d, "NK1", 3, occurrence=2) == "CHD"
    assert get(segments, d, "NK1", 3, occurrence=3) == ""


@pytest.mark.parametrize(
    ("escaped", "plain"),
    [
        (r"A\T\E", "A&E"),
        (r"1\F\2", "1|2"),
        (r"X\S\Y", "X^Y"),
        (r"a\R\b", "a~b"),
        (r"back\E\slash", "back\\slash"),
        ("\\T\\\\T\\", "&&"),
        (r"no escapes", "no escapes"),
        (r"line\.br\break", r"line\.br\break"),  # formatting sequences are left alone
        ("\\H\\bold\\N\\ \\T\\", r"\H\bold\N\ &"),
    ],
)
def test_escape_sequences(hl7: dict[str, Any], escaped: str, plain: str) -> None:
    d = hl7["read_delimiters"](MESSAGE)
    assert hl7["unescape"](escaped, d) == plain


def test_escapes_use_the_declared_characters(hl7: dict[str, Any]) -> None:
    d = hl7["read_delimiters"](with_delimiters(MESSAGE, "#$*!@"))
    assert hl7["unescape"]("A!T!E", d) == "A@E"
    assert hl7["unescape"]("1!F!2", d) == "1#2"
    assert hl7["unescape"]("A\\T\\E", d) == "A\\T\\E"  # backslash is not the escape here


def test_split_before_unescape(hl7: dict[str, Any], parsed: tuple[list[list[str]], Any]) -> None:
    segments, d = parsed
    # PV1-3 is A\T\E^BAY2^...: the escaped & must not be taken as a subcomponent separator.
    assert hl7["get_value"](segments, d, "PV1", 3, 1, 1) == "A&E"
    assert hl7["get_value"](segments, d, "PV1", 3, 1, 1, 2) == ""
    assert hl7["get_value"](segments, d, "PV1", 3, 1, 2) == "BAY2"


def test_segment_separator_and_line_endings(hl7: dict[str, Any]) -> None:
    assert hl7["split_segments"](MESSAGE) == SEGMENTS
    assert hl7["split_segments"]("\n".join(SEGMENTS) + "\n") == SEGMENTS
    assert hl7["split_segments"]("\r\n".join(SEGMENTS)) == SEGMENTS
    assert hl7["parse_message"]("\n".join(SEGMENTS)) == hl7["parse_message"](MESSAGE)


def test_pid_to_dict(hl7: dict[str, Any]) -> None:
    assert hl7["pid_to_dict"](MESSAGE) == EXPECTED_PID


@pytest.mark.parametrize("target", ["|^~\\&", "#$*!@", "!%/?:"])
def test_pid_to_dict_does_not_assume_delimiters(hl7: dict[str, Any], target: str) -> None:
    assert hl7["pid_to_dict"](with_delimiters(MESSAGE, target)) == EXPECTED_PID


def test_pid_to_dict_unescapes_and_handles_missing_values(hl7: dict[str, Any]) -> None:
    message = "\r".join(
        [
            r"MSH|^~\&|PAS|DEMO-TRUST|EPR|DEMO-TRUST|20261101093015||ADT^A01|MSG2|P|2.5",
            r"PID|1||9990010013^^^NHS^NH||SMITH \T\ JONES^SAM",
        ]
    )
    assert hl7["pid_to_dict"](message) == {
        "nhs_number": "9990010013",
        "local_identifiers": [],
        "family_name": "SMITH & JONES",
        "given_names": ["SAM"],
        "date_of_birth": None,
        "sex": None,
        "postcode": None,
    }
    no_pid = r"MSH|^~\&|PAS|X|EPR|X|20261101||ADT^A01|MSG3|P|2.5"
    with pytest.raises(ValueError):
        hl7["pid_to_dict"](no_pid)
