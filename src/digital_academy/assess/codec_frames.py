"""Decoding NumPy and pandas values (see :mod:`.codec`); imported only when one arrives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .codec import CodecError

Decode = Callable[[Any], object]
Tick = Callable[[int], None]

_ARRAY_KINDS = "biufcUSOmM"


def _dtype(name: object) -> Any:
    import numpy as np  # noqa: PLC0415

    dtype = np.dtype(str(name))
    if dtype.kind not in _ARRAY_KINDS:
        raise CodecError(f"dtype {dtype} is not accepted")
    return dtype


def _flat_ints(values: object) -> list[int]:
    if type(values) is not list or not all(type(v) is int for v in values):
        raise CodecError("expected a list of integers")
    return values


def decode_tagged(tag: str, data: dict[str, Any], dec: Decode, tick: Tick, depth: int) -> object:
    import numpy as np  # noqa: PLC0415

    if tag == "ndarray":
        dtype = _dtype(data["dtype"])
        shape = tuple(int(n) for n in data["shape"])
        values = data["v"]
        if type(values) is not list:
            raise CodecError("expected a list")
        if dtype.kind in "mM":
            return np.array(_flat_ints(values), dtype="i8").view(dtype).reshape(shape)
        items = [dec(v) for v in values]
        if dtype.kind == "O":
            out = np.empty(len(items), dtype=object)
            out[:] = items
            return out.reshape(shape)
        return np.array(items, dtype=dtype).reshape(shape)
    if tag == "npscalar":
        dtype = _dtype(data["dtype"])
        if dtype.kind in "mM":
            return np.array([int(data["v"])], dtype="i8").view(dtype)[0]
        return np.array([dec(data["v"])], dtype=dtype)[0]
    return _decode_pandas(tag, data, dec, depth)


def _decode_pandas(tag: str, data: dict[str, Any], dec: Decode, depth: int) -> object:
    import pandas as pd  # type: ignore[import-untyped]  # noqa: PLC0415

    if tag == "nat":
        return pd.NaT
    if tag == "pdna":
        return pd.NA
    if tag == "timestamp":
        return pd.Timestamp(str(data["v"]))
    if tag == "pdtimedelta":
        return pd.Timedelta(int(data["v"]), unit="ns")
    if tag == "rangeindex":
        start, stop, step = (int(x) for x in data["v"])
        return pd.RangeIndex(start, stop, step, name=_name(dec(data.get("name"))))
    if tag == "index":
        return pd.Index(_column(data["v"], dec), name=_name(dec(data.get("name"))))
    if tag == "series":
        index = dec(data["index"])
        if not isinstance(index, pd.Index):
            raise CodecError("a series needs an index")
        return pd.Series(_column(data["v"], dec), index=index, name=_name(dec(data.get("name"))))
    if tag == "frame":
        index, columns = dec(data["index"]), dec(data["columns"])
        if not isinstance(index, pd.Index) or not isinstance(columns, pd.Index):
            raise CodecError("a frame needs an index and columns")
        cols = data["v"]
        if type(cols) is not list or len(cols) != len(columns):
            raise CodecError("a frame needs one list of values per column")
        frame = pd.DataFrame(
            {i: pd.Series(_column(c, dec), index=index) for i, c in enumerate(cols)}, index=index
        )
        frame.columns = columns
        return frame
    raise CodecError(f"unknown tag {tag!r}")


def _name(value: object) -> Any:
    if value is None or type(value) in (str, int, float, bool, tuple):
        return value
    raise CodecError("a pandas name must be a plain value")


def _column(data: object, dec: Decode) -> Any:
    import numpy as np  # noqa: PLC0415
    import pandas as pd  # noqa: PLC0415

    if type(data) is not dict:
        raise CodecError("malformed column")
    name = str(data["dtype"])
    if name == "category":
        categories = dec(data["categories"])
        values = dec(data["v"])
        if type(categories) is not list or type(values) is not list:
            raise CodecError("malformed categorical column")
        return pd.Categorical(values, categories=categories, ordered=bool(data["ordered"]))
    if "ns" in data:
        raw = dec(data["ns"])
        if not isinstance(raw, np.ndarray):
            raise CodecError("malformed datetime column")
        return pd.array(raw.view(name), dtype=name) if "[" in name else raw.view(name)
    values = [dec(v) for v in data["v"]]
    if name == "object":
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out
    return pd.array(values, dtype=pd.api.types.pandas_dtype(name))
