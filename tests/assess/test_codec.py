"""The value codec: the only way data crosses between learner code and the grader."""

from __future__ import annotations

import datetime as dt
import decimal
import fractions
import json
import math
from typing import Any

import numpy as np
import pandas as pd
import pytest

from digital_academy.assess import codec


def _refuse(obj: object) -> dict[str, Any]:
    return {"$": "ref", "id": "x", "type": type(obj).__name__}


def _round_trip(value: object) -> object:
    wire = json.loads(json.dumps(codec.encode(value, _refuse)))
    return codec.decode(wire, lambda ref: ref)


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        0,
        -(10**30),
        1.5,
        "text ✓",
        b"\x00\xff",
        (1, "a"),
        [1, [2, (3,)]],
        {"a": 1},
        {1: "x", (2, 3): None},
        {"$": "not a tag"},
        {1, 2},
        frozenset({"a"}),
        complex(1, -2),
        dt.date(2026, 1, 2),
        dt.datetime(2026, 1, 2, 3, 4, 5),
        dt.timedelta(days=1, seconds=2),
        decimal.Decimal("1.10"),
        fractions.Fraction(1, 3),
    ],
)
def test_plain_values_round_trip_exactly(value: object) -> None:
    back = _round_trip(value)
    assert back == value
    assert type(back) is type(value)


def test_non_finite_floats_round_trip() -> None:
    back = _round_trip([math.nan, math.inf, -math.inf])
    assert isinstance(back, list)
    assert math.isnan(back[0]) and back[1] == math.inf and back[2] == -math.inf


def test_numpy_values_keep_their_dtype() -> None:
    for value in (np.int64(7), np.float32(1.5), np.bool_(True), np.str_("x")):
        back = _round_trip(value)
        assert type(back) is type(value) and back == value
    array = np.array([[1.5, np.nan], [3.0, 4.0]])
    back = _round_trip(array)
    assert isinstance(back, np.ndarray) and back.dtype == array.dtype
    np.testing.assert_array_equal(back, array)
    stamps = np.array(["2026-01-01", "2026-02-01"], dtype="datetime64[ns]")
    np.testing.assert_array_equal(_round_trip(stamps), stamps)  # type: ignore[arg-type]


def test_pandas_frames_round_trip() -> None:
    frame = pd.DataFrame(
        {
            "n": [1, 2, 3],
            "x": [0.5, np.nan, 2.5],
            "s": ["a", "b", None],
            "when": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03"]),
            "kind": pd.Categorical(["lo", "hi", "lo"], categories=["lo", "hi"]),
            "flag": [True, False, True],
        },
        index=pd.Index([10, 20, 30], name="row"),
    )
    back = _round_trip(frame)
    assert isinstance(back, pd.DataFrame)
    pd.testing.assert_frame_equal(back, frame)
    series = pd.Series([1.0, 2.0], index=pd.RangeIndex(2), name="values")
    pd.testing.assert_series_equal(_round_trip(series), series)  # type: ignore[arg-type]
    assert _round_trip(pd.Timestamp("2026-03-04 05:06")) == pd.Timestamp("2026-03-04 05:06")


def test_subclasses_and_unknown_objects_become_references() -> None:
    class Liar(int):
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = int.__hash__

    class AlwaysEqual:
        def __eq__(self, other: object) -> bool:
            return True

        __hash__ = object.__hash__

    for cheat in (Liar(6), AlwaysEqual(), [Liar(1)], {"k": AlwaysEqual()}):
        encoded = json.dumps(codec.encode(cheat, _refuse))
        assert '"$": "ref"' in encoded


def test_limits_and_malformed_data_are_refused() -> None:
    deep: list[Any] = []
    for _ in range(codec.MAX_DEPTH + 5):
        deep = [deep]
    with pytest.raises(codec.CodecError, match="nested"):
        codec.encode(deep, _refuse)
    for bad in (
        {"$": "float", "v": "1e5"},
        {"$": "tuple", "v": "abc"},
        {"$": "dict", "v": [[[1], 2]]},
        {"$": "ndarray", "dtype": "V8", "shape": [1], "v": [1]},
        {"$": "no-such-tag"},
        {"$": 5},
    ):
        with pytest.raises(codec.CodecError):
            codec.decode(bad, lambda ref: ref)
