"""SNOMED CT identifiers: Verhoeff check digit, partitions and IS-A ancestors.

Expected values come from the published Verhoeff tables (typed here from the literature, as a
second statement of the scheme the notebook derives from the dihedral group D5), real SCTIDs
from the international release, and small hand-built hierarchies.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from itertools import product
from typing import Any

import pytest

Ref = Callable[[str], dict[str, Any]]

# Verhoeff (1969) as usually published: multiplication table of D5, position permutation table
# and inverses. Typed by hand deliberately: the notebook computes them, this states them.
PUBLISHED_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
PUBLISHED_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]
PUBLISHED_INV = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9]

# Real concept ids from the SNOMED CT international release.
REAL_CONCEPTS = {
    "138875005": "SNOMED CT Concept",
    "116680003": "Is a",
    "404684003": "Clinical finding",
    "71388002": "Procedure",
    "22298006": "Myocardial infarction",
    "271649006": "Systolic blood pressure",
    "271650006": "Diastolic blood pressure",
}


def published_check_digit(payload: str) -> int:
    """The check digit by the published tables, independent of the notebook's code."""
    c = 0
    for i, digit in enumerate(reversed(payload)):
        c = PUBLISHED_D[c][PUBLISHED_P[(i + 1) % 8][int(digit)]]
    return PUBLISHED_INV[c]


@pytest.fixture
def snomed(reference: Ref) -> dict[str, Any]:
    return reference("snomed-ct-identifiers")


def test_tables_built_from_d5_equal_the_published_tables(snomed: dict[str, Any]) -> None:
    assert snomed["MULTIPLY"] == PUBLISHED_D
    assert snomed["PERMUTE"] == PUBLISHED_P
    assert snomed["INVERSE"] == PUBLISHED_INV


def test_multiply_is_a_non_commutative_group(snomed: dict[str, Any]) -> None:
    d = snomed["MULTIPLY"]
    for a, b, c in product(range(10), repeat=3):
        assert d[d[a][b]][c] == d[a][d[b][c]]
    assert all(d[0][a] == a == d[a][0] for a in range(10))
    assert any(d[a][b] != d[b][a] for a, b in product(range(10), repeat=2))
    # Rotations are 0-4 and compose like addition mod 5.
    assert all(d[a][b] == (a + b) % 5 for a, b in product(range(5), repeat=2))


def test_sigma_is_verhoeffs_permutation(snomed: dict[str, Any]) -> None:
    # (0 1 5 8 9 4 2 7)(3 6): 0->1, 1->5, 5->8, 8->9, 9->4, 4->2, 2->7, 7->0, 3->6, 6->3.
    assert snomed["SIGMA"] == [1, 5, 7, 6, 2, 8, 3, 0, 9, 4]


@pytest.mark.parametrize("sctid", sorted(REAL_CONCEPTS))
def test_real_concept_ids_are_valid(snomed: dict[str, Any], sctid: str) -> None:
    assert snomed["verhoeff_is_valid"](sctid)
    assert snomed["is_valid_sctid"](sctid)
    assert snomed["verhoeff_check_digit"](sctid[:-1]) == int(sctid[-1])


@pytest.mark.parametrize(("payload", "digit"), [("236", 3), ("12345", 1), ("142857", 0)])
def test_published_worked_examples(snomed: dict[str, Any], payload: str, digit: int) -> None:
    assert snomed["verhoeff_check_digit"](payload) == digit
    assert snomed["verhoeff_is_valid"](payload + str(digit))
    assert not snomed["verhoeff_is_valid"](payload + str((digit + 1) % 10))


@pytest.mark.parametrize(
    "changed", ["138875004", "22298005", "22299006", "32298006", "271649007", "404684013"]
)
def test_a_changed_digit_is_invalid(snomed: dict[str, Any], changed: str) -> None:
    assert not snomed["verhoeff_is_valid"](changed)
    assert not snomed["is_valid_sctid"](changed)


def _all_single_substitutions(number: str) -> list[str]:
    return [
        number[:i] + d + number[i + 1 :]
        for i in range(len(number))
        for d in "0123456789"
        if d != number[i]
    ]


def _all_adjacent_transpositions(number: str) -> list[str]:
    return [
        number[:i] + number[i + 1] + number[i] + number[i + 2 :]
        for i in range(len(number) - 1)
        if number[i] != number[i + 1]
    ]


def test_detects_every_single_error_and_adjacent_transposition(snomed: dict[str, Any]) -> None:
    """Verhoeff's published property, over the real ids and random numbers of every length."""
    rng = random.Random(20261101)
    numbers = list(REAL_CONCEPTS)
    for length in range(2, 19):
        for _ in range(40):
            payload = "".join(rng.choice("0123456789") for _ in range(length - 1))
            numbers.append(payload + str(published_check_digit(payload)))
    for number in numbers:
        assert snomed["verhoeff_is_valid"](number)
        for wrong in _all_single_substitutions(number) + _all_adjacent_transpositions(number):
            assert not snomed["verhoeff_is_valid"](wrong), (number, wrong)


def test_agrees_with_the_published_tables_on_a_range(snomed: dict[str, Any]) -> None:
    for n in range(100000, 103000):
        payload = str(n)
        assert snomed["verhoeff_check_digit"](payload) == published_check_digit(payload)


@pytest.mark.parametrize("value", ["", "2", "22298O06", "22 298 006", "-22298006"])
def test_malformed_values_are_invalid(snomed: dict[str, Any], value: str) -> None:
    assert not snomed["verhoeff_is_valid"](value)
    assert not snomed["is_valid_sctid"](value)


def _valid(payload: str) -> str:
    return payload + str(published_check_digit(payload))


def test_partition_parsing_of_international_ids(snomed: dict[str, Any]) -> None:
    parts = snomed["parse_sctid"]("22298006")
    assert (parts.item, parts.namespace, parts.partition, parts.component, parts.check_digit) == (
        "22298",
        None,
        "00",
        "concept",
        6,
    )
    assert snomed["parse_sctid"]("138875005").item == "138875"
    description = snomed["parse_sctid"](_valid("4521" + "01"))
    assert (description.component, description.partition, description.item) == (
        "description",
        "01",
        "4521",
    )
    relationship = snomed["parse_sctid"](_valid("7715" + "02"))
    assert (relationship.component, relationship.namespace) == ("relationship", None)


@pytest.mark.parametrize(
    ("partition", "component"), [("10", "concept"), ("11", "description"), ("12", "relationship")]
)
def test_partition_parsing_of_extension_ids(
    snomed: dict[str, Any], partition: str, component: str
) -> None:
    sctid = _valid("12345" + "9999999" + partition)
    parts = snomed["parse_sctid"](sctid)
    assert (parts.item, parts.namespace, parts.partition, parts.component) == (
        "12345",
        "9999999",
        partition,
        component,
    )
    assert snomed["is_valid_sctid"](sctid)


def test_hand_computed_extension_id(snomed: dict[str, Any]) -> None:
    # Worked by hand with the published tables: payload 12345 9999999 10 -> check digit 0.
    parts = snomed["parse_sctid"]("123459999999100")
    assert (parts.namespace, parts.component, parts.check_digit) == ("9999999", "concept", 0)


@pytest.mark.parametrize(
    "sctid",
    [
        _valid("4521" + "03"),  # partition 03 is not one the module recognises
        _valid("4521" + "20"),
        _valid("9999999" + "10"),  # a namespace but no item digits
        _valid("1"),  # only two digits
        _valid("1234"),  # five digits: too short
        _valid("1" * 18),  # nineteen digits: too long
    ],
)
def test_invalid_structure_is_rejected(snomed: dict[str, Any], sctid: str) -> None:
    assert snomed["verhoeff_is_valid"](sctid)  # the check digit itself is right
    assert not snomed["is_valid_sctid"](sctid)
    with pytest.raises(ValueError):
        snomed["parse_sctid"](sctid)


def test_lengths_six_and_eighteen_are_accepted(snomed: dict[str, Any]) -> None:
    assert snomed["is_valid_sctid"](_valid("100" + "00"))
    assert snomed["is_valid_sctid"](_valid("1" * 15 + "00"))
    assert snomed["is_valid_sctid"](_valid("1" * 8 + "9999999" + "11"))


def test_make_sctid_matches_the_published_scheme(snomed: dict[str, Any]) -> None:
    make = snomed["make_sctid"]
    assert make(22298, "00") == "22298006"
    assert make(12345, "10", "9999999") == "123459999999100"
    assert make(4521, "01") == _valid("452101")
    with pytest.raises(ValueError):
        make(12345, "10")  # an extension partition needs a namespace
    with pytest.raises(ValueError):
        make(12345, "00", "9999999")  # an international partition must not have one
    with pytest.raises(ValueError):
        make(12345, "10", "12345")  # a namespace has seven digits


IS_A = "116680003"
ROOT, FINDING, PROCEDURE, MI = "138875005", "404684003", "71388002", "22298006"
HEART, ISCHAEMIC, SITE, STRUCTURE = "H", "I", "S", "T"  # labels stand for invented concepts


def _hierarchy() -> list[tuple[str, str, str]]:
    return [
        (FINDING, IS_A, ROOT),
        (PROCEDURE, IS_A, ROOT),
        (HEART, IS_A, FINDING),
        (ISCHAEMIC, IS_A, FINDING),
        (MI, IS_A, HEART),
        (MI, IS_A, ISCHAEMIC),
        (STRUCTURE, IS_A, ROOT),
        (MI, SITE, STRUCTURE),
    ]


def test_is_a_and_root_are_the_real_ids(snomed: dict[str, Any]) -> None:
    assert snomed["IS_A"] == "116680003"
    assert snomed["ROOT"] == "138875005"


def test_ancestors_follow_is_a_through_several_parents(snomed: dict[str, Any]) -> None:
    rels = _hierarchy()
    assert snomed["ancestors"](MI, rels) == {HEART, ISCHAEMIC, FINDING, ROOT}
    assert snomed["ancestors"](FINDING, rels) == {ROOT}
    assert snomed["ancestors"](ROOT, rels) == set()
    assert snomed["parents"](MI, rels) == {HEART, ISCHAEMIC}


def test_attribute_relationships_are_not_ancestors(snomed: dict[str, Any]) -> None:
    assert STRUCTURE not in snomed["ancestors"](MI, _hierarchy())


def test_subsumption(snomed: dict[str, Any]) -> None:
    rels = _hierarchy()
    assert snomed["subsumes"](FINDING, MI, rels)
    assert snomed["subsumes"](ROOT, MI, rels)
    assert snomed["subsumes"](MI, MI, rels)
    assert not snomed["subsumes"](PROCEDURE, MI, rels)
    assert not snomed["subsumes"](MI, FINDING, rels)
    assert not snomed["subsumes"](STRUCTURE, MI, rels)


def test_a_deep_chain_and_a_faulty_cycle_terminate(snomed: dict[str, Any]) -> None:
    chain = [(f"c{i}", IS_A, f"c{i + 1}") for i in range(200)]
    assert snomed["ancestors"]("c0", chain) == {f"c{i}" for i in range(1, 201)}
    cycle = [("a", IS_A, "b"), ("b", IS_A, "c"), ("c", IS_A, "a")]
    assert snomed["ancestors"]("a", cycle) == {"b", "c"}
