"""Keyed-hash pseudonymisation: HMAC-SHA256 against RFC 4231 and a from-scratch RFC 2104 HMAC."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import pytest

Ref = Callable[[str], dict[str, Any]]

KEY = b"test-key-for-truth-tests-only-000"
OTHER_KEY = b"another-test-key-for-truth-tests"


@pytest.fixture
def ps(reference: Ref) -> dict[str, Any]:
    return reference("pseudonymisation")


# RFC 4231 section 4, HMAC-SHA-256 test cases 1, 2, 3, 4, 6 and 7 (case 5 is truncated output).
RFC4231 = [
    (
        b"\x0b" * 20,
        b"Hi There",
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
    ),
    (
        b"Jefe",
        b"what do ya want for nothing?",
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
    ),
    (
        b"\xaa" * 20,
        b"\xdd" * 50,
        "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
    ),
    (
        bytes(range(1, 26)),
        b"\xcd" * 50,
        "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
    ),
    (
        b"\xaa" * 131,
        b"Test Using Larger Than Block-Size Key - Hash Key First",
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
    ),
    (
        b"\xaa" * 131,
        b"This is a test using a larger than block-size key and a larger than block-size data."
        b" The key needs to be hashed before being used by the HMAC algorithm.",
        "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
    ),
]


def _hmac_sha256(key: bytes, message: bytes) -> str:
    """HMAC written out from RFC 2104: H((K ^ opad) || H((K ^ ipad) || m)), block size 64."""
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    key = key.ljust(64, b"\x00")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key) + message).digest()
    return hashlib.sha256(bytes(b ^ 0x5C for b in key) + inner).hexdigest()


@pytest.mark.parametrize(("key", "message", "expected"), RFC4231)
def test_keyed_hash_matches_rfc_4231(
    ps: dict[str, Any], key: bytes, message: bytes, expected: str
) -> None:
    assert ps["keyed_hash"](key, message) == expected


@pytest.mark.parametrize(("key", "message", "expected"), RFC4231)
def test_the_independent_hmac_is_itself_correct(key: bytes, message: bytes, expected: str) -> None:
    assert _hmac_sha256(key, message) == expected


@pytest.mark.parametrize("number", ["9990000018", "9434765919", "9991234560"])
def test_pseudonym_is_hmac_sha256_of_the_ten_digits(ps: dict[str, Any], number: str) -> None:
    assert ps["pseudonymise"](number, KEY) == _hmac_sha256(KEY, number.encode("ascii"))


def test_same_number_and_key_give_the_same_pseudonym(ps: dict[str, Any]) -> None:
    first = ps["pseudonymise"]("9434765919", KEY)
    assert ps["pseudonymise"]("9434765919", KEY) == first
    assert ps["pseudonymise"]("943 476 5919", KEY) == first
    assert ps["pseudonymise"]("943-476-5919", KEY) == first


def test_a_different_key_gives_a_different_pseudonym(ps: dict[str, Any]) -> None:
    for n in range(9990000000, 9990000200):
        assert ps["pseudonymise"](str(n), KEY) != ps["pseudonymise"](str(n), OTHER_KEY)


def test_different_numbers_give_different_pseudonyms(ps: dict[str, Any]) -> None:
    pseudonyms = {ps["pseudonymise"](str(n), KEY) for n in range(9990000000, 9990002000)}
    assert len(pseudonyms) == 2000


def test_pseudonym_is_64_lower_case_hex_characters(ps: dict[str, Any]) -> None:
    pseudonym = ps["pseudonymise"]("9990000018", KEY)
    assert len(pseudonym) == 64
    assert set(pseudonym) <= set("0123456789abcdef")


def test_pseudonym_is_not_the_plain_hash(ps: dict[str, Any]) -> None:
    number = "9990000018"
    assert ps["pseudonymise"](number, KEY) != hashlib.sha256(number.encode()).hexdigest()


@pytest.mark.parametrize("key", [b"", b"short", b"x" * 15, b"x" * 31])
def test_short_keys_are_refused(ps: dict[str, Any], key: bytes) -> None:
    # RFC 2104: HMAC keys shorter than the hash output (32 bytes for SHA-256) weaken it.
    with pytest.raises(ValueError):
        ps["pseudonymise"]("9990000018", key)


def test_a_key_as_long_as_the_hash_output_is_accepted(ps: dict[str, Any]) -> None:
    assert len(ps["pseudonymise"]("9990000018", b"k" * 32)) == 64


@pytest.mark.parametrize("value", ["", "999000001", "99900000188", "99900000I8"])
def test_malformed_nhs_numbers_are_refused(ps: dict[str, Any], value: str) -> None:
    with pytest.raises(ValueError):
        ps["pseudonymise"](value, KEY)


def test_new_key_is_32_random_bytes(ps: dict[str, Any]) -> None:
    keys = {ps["new_key"]() for _ in range(20)}
    assert len(keys) == 20
    assert all(len(k) == 32 for k in keys)


def test_plain_hash_is_unkeyed_sha256(ps: dict[str, Any]) -> None:
    assert ps["plain_hash"]("943 476 5919") == hashlib.sha256(b"9434765919").hexdigest()


def test_a_plain_hash_is_reversed_by_enumerating_a_small_range(ps: dict[str, Any]) -> None:
    target = hashlib.sha256(b"9990004321").hexdigest()
    candidates = [f"999000{n:04d}" for n in range(10_000)]
    assert ps["reverse_by_enumeration"](target, candidates, ps["plain_hash"]) == "9990004321"
    absent = hashlib.sha256(b"9990104321").hexdigest()
    assert ps["reverse_by_enumeration"](absent, candidates, ps["plain_hash"]) is None


def test_a_keyed_pseudonym_resists_enumeration_without_the_key(ps: dict[str, Any]) -> None:
    candidates = [f"999000{n:04d}" for n in range(10_000)]
    pseudonym = _hmac_sha256(KEY, b"9990004321")
    assert ps["reverse_by_enumeration"](pseudonym, candidates, ps["plain_hash"]) is None
    with_wrong_key = ps["reverse_by_enumeration"](
        pseudonym, candidates, lambda n: ps["pseudonymise"](n, OTHER_KEY)
    )
    assert with_wrong_key is None
    with_key = ps["reverse_by_enumeration"](
        pseudonym, candidates, lambda n: ps["pseudonymise"](n, KEY)
    )
    assert with_key == "9990004321"
