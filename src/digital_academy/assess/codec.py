"""Values as tagged JSON: the only way data crosses between learner code and the grader.

Nothing here unpickles or evaluates anything. Encoding accepts only *exact* built-in,
NumPy and pandas types (a subclass of ``int`` with a lying ``__eq__`` is not an int); any
other object becomes a reference the caller decides how to handle. Decoding builds only
those same exact types, within size and depth limits, so a learner's object can never
reach the grader's comparisons.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import fractions
import math
import sys
from collections.abc import Callable
from typing import Any

MAX_DEPTH = 64
MAX_NODES = 2_000_000
TAG = "$"

Encoded = Any
MakeRef = Callable[[object], dict[str, Any]]
ResolveRef = Callable[[dict[str, Any]], object]


class CodecError(ValueError):
    """A value that cannot cross the boundary (too big, too deep or malformed)."""


class _Budget:
    def __init__(self) -> None:
        self.nodes = 0

    def tick(self, depth: int) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise CodecError(f"value has more than {MAX_NODES} parts")
        if depth > MAX_DEPTH:
            raise CodecError(f"value is nested more than {MAX_DEPTH} deep")


_PLAIN = (bool, int, str, type(None))


def encode(value: object, make_ref: MakeRef) -> Encoded:
    if type(value) in _PLAIN:  # the common case, answered without any bookkeeping
        return value
    return _enc(value, make_ref, _Budget(), 0)


def _enc(value: object, make_ref: MakeRef, budget: _Budget, depth: int) -> Encoded:
    budget.tick(depth)
    kind = type(value)
    if value is None or kind is bool or kind is int or kind is str:
        return value
    if kind is float:
        assert isinstance(value, float)
        return value if math.isfinite(value) else {TAG: "float", "v": repr(value)}
    d = depth + 1
    if kind is list or kind is tuple or kind is set or kind is frozenset:
        assert isinstance(value, list | tuple | set | frozenset)
        items = [_enc(v, make_ref, budget, d) for v in value]
        return items if kind is list else {TAG: kind.__name__, "v": items}
    if kind is dict:
        assert isinstance(value, dict)
        if all(type(k) is str for k in value) and TAG not in value:
            return {k: _enc(v, make_ref, budget, d) for k, v in value.items()}
        return {
            TAG: "dict",
            "v": [
                [_enc(k, make_ref, budget, d), _enc(v, make_ref, budget, d)]
                for k, v in value.items()
            ],
        }
    simple = _enc_simple(value, kind)
    if simple is not None:
        return simple
    module = getattr(kind, "__module__", "") or ""
    if module.startswith("numpy") and "numpy" in sys.modules:
        found = _enc_numpy(value, make_ref, budget, d)
        if found is not None:
            return found
    if module.startswith("pandas") and "pandas" in sys.modules:
        found = _enc_pandas(value, make_ref, budget, d)
        if found is not None:
            return found
    return make_ref(value)


def _enc_simple(value: object, kind: type) -> Encoded | None:
    if kind is complex:
        assert isinstance(value, complex)
        return {TAG: "complex", "v": [repr(value.real), repr(value.imag)]}
    if kind is bytes:
        assert isinstance(value, bytes)
        return {TAG: "bytes", "v": base64.b64encode(value).decode("ascii")}
    if kind is dt.datetime or kind is dt.date or kind is dt.time:
        assert isinstance(value, dt.date | dt.time)
        return {TAG: kind.__name__, "v": value.isoformat()}
    if kind is dt.timedelta:
        assert isinstance(value, dt.timedelta)
        return {TAG: "timedelta", "v": [value.days, value.seconds, value.microseconds]}
    if kind is decimal.Decimal:
        return {TAG: "decimal", "v": str(value)}
    if kind is fractions.Fraction:
        assert isinstance(value, fractions.Fraction)
        return {TAG: "fraction", "v": [value.numerator, value.denominator]}
    return None


def _enc_numpy(value: object, make_ref: MakeRef, budget: _Budget, depth: int) -> Encoded | None:
    import numpy as np  # noqa: PLC0415 - only when a NumPy value is seen

    if type(value) is np.ndarray:
        dtype = value.dtype
        if dtype.kind in "mM":
            flat: list[Any] = value.reshape(-1).view("i8").tolist()
        elif dtype.kind in "biufcUSO":
            flat = [_enc(v, make_ref, budget, depth) for v in value.reshape(-1).tolist()]
        else:
            return None
        budget.nodes += len(flat)
        if budget.nodes > MAX_NODES:
            raise CodecError(f"value has more than {MAX_NODES} parts")
        return {TAG: "ndarray", "dtype": dtype.str, "shape": list(value.shape), "v": flat}
    if isinstance(value, np.generic) and type(value).__module__ == "numpy":
        dtype = value.dtype
        if dtype.kind in "mM":
            return {TAG: "npscalar", "dtype": dtype.str, "v": int(value.view("i8"))}
        if dtype.kind in "biufcUS":
            return {
                TAG: "npscalar",
                "dtype": dtype.str,
                "v": _enc(value.item(), make_ref, budget, depth),
            }
    return None


def _enc_pandas(value: Any, make_ref: MakeRef, budget: _Budget, depth: int) -> Encoded | None:
    import pandas as pd  # type: ignore[import-untyped]  # noqa: PLC0415 - only when seen

    kind = type(value)
    if value is pd.NaT:
        return {TAG: "nat"}
    if value is pd.NA:
        return {TAG: "pdna"}
    if kind is pd.Timestamp:
        return {TAG: "timestamp", "v": value.isoformat()}
    if kind is pd.Timedelta:
        return {TAG: "pdtimedelta", "v": int(value.value)}
    if kind is pd.RangeIndex:
        return {
            TAG: "rangeindex",
            "v": [value.start, value.stop, value.step],
            "name": _enc(value.name, make_ref, budget, depth),
        }
    if kind in (pd.Index, pd.DatetimeIndex):
        return {
            TAG: "index",
            "v": _column(value, make_ref, budget, depth),
            "name": _enc(value.name, make_ref, budget, depth),
        }
    if kind is pd.Series:
        return {
            TAG: "series",
            "v": _column(value, make_ref, budget, depth),
            "index": _enc(value.index, make_ref, budget, depth),
            "name": _enc(value.name, make_ref, budget, depth),
        }
    if kind is pd.DataFrame:
        return {
            TAG: "frame",
            "columns": _enc(value.columns, make_ref, budget, depth),
            "index": _enc(value.index, make_ref, budget, depth),
            "v": [
                _column(value.iloc[:, i], make_ref, budget, depth) for i in range(value.shape[1])
            ],
        }
    return None


def _column(values: Any, make_ref: MakeRef, budget: _Budget, depth: int) -> Encoded:
    """A pandas column or index: its dtype name and its values."""
    dtype = values.dtype
    if str(dtype) == "category":
        return {
            "dtype": "category",
            "ordered": bool(dtype.ordered),
            "categories": _enc(list(dtype.categories), make_ref, budget, depth),
            "v": _enc(values.astype(object).tolist(), make_ref, budget, depth),
        }
    if getattr(dtype, "kind", "") in "mM" and type(dtype).__module__ == "numpy":
        raw = values.to_numpy() if hasattr(values, "to_numpy") else values
        return {"dtype": str(dtype), "ns": _enc(raw.view("i8"), make_ref, budget, depth)}
    arr = values.to_numpy(dtype=object)
    return {"dtype": str(dtype), "v": [_enc(v, make_ref, budget, depth) for v in arr.tolist()]}


# ----------------------------------------------------------------------------- decoding


def decode(data: Encoded, resolve_ref: ResolveRef) -> object:
    if type(data) in _PLAIN or type(data) is float:
        return data
    return _dec(data, resolve_ref, _Budget(), 0)


def _dec(data: Encoded, resolve: ResolveRef, budget: _Budget, depth: int) -> object:
    budget.tick(depth)
    kind = type(data)
    if data is None or kind is bool or kind is int or kind is str or kind is float:
        return data
    d = depth + 1
    if kind is list:
        return [_dec(v, resolve, budget, d) for v in data]
    if kind is not dict:
        raise CodecError(f"unexpected {kind.__name__} in an encoded value")
    tag = data.get(TAG)
    if tag is None:
        return {k: _dec(v, resolve, budget, d) for k, v in data.items()}
    if not isinstance(tag, str):
        raise CodecError("malformed tag")
    try:
        return _dec_tagged(tag, data, resolve, budget, d)
    except CodecError:
        raise
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        raise CodecError(f"malformed {tag!r} value: {type(exc).__name__}: {exc}") from None


def _items(data: dict[str, Any], resolve: ResolveRef, budget: _Budget, depth: int) -> list[Any]:
    values = data["v"]
    if type(values) is not list:
        raise CodecError("expected a list")
    return [_dec(v, resolve, budget, depth) for v in values]


def _dec_tagged(
    tag: str, data: dict[str, Any], resolve: ResolveRef, budget: _Budget, depth: int
) -> object:
    v: Any = data.get("v")
    simple: dict[str, Callable[[], object]] = {
        "float": lambda: float(_choice(v, ("nan", "inf", "-inf"))),
        "complex": lambda: complex(float(v[0]), float(v[1])),
        "bytes": lambda: base64.b64decode(str(v), validate=True),
        "datetime": lambda: dt.datetime.fromisoformat(str(v)),
        "date": lambda: dt.date.fromisoformat(str(v)),
        "time": lambda: dt.time.fromisoformat(str(v)),
        "timedelta": lambda: dt.timedelta(
            days=int(v[0]), seconds=int(v[1]), microseconds=int(v[2])
        ),
        "decimal": lambda: decimal.Decimal(str(v)),
        "fraction": lambda: fractions.Fraction(int(v[0]), int(v[1])),
    }
    if tag in simple:
        return simple[tag]()
    if tag in ("tuple", "set", "frozenset"):
        items = _items(data, resolve, budget, depth)
        return {"tuple": tuple, "set": set, "frozenset": frozenset}[tag](items)
    if tag == "dict":
        pairs = _items(data, resolve, budget, depth)
        return dict(pairs)
    if tag == "ref":
        return resolve(data)
    from . import codec_frames  # noqa: PLC0415 - NumPy/pandas only when such a value arrives

    return codec_frames.decode_tagged(
        tag, data, lambda x: _dec(x, resolve, budget, depth), budget.tick, depth
    )


def _choice(value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise CodecError(f"expected one of {allowed}")
    return str(value)
