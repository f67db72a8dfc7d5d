"""Machine-independent references inside generated configuration.

Builders are pure and their output is committed under ``hub_config/``, so it must not hold
paths of the machine that generated it, nor secrets. A :class:`Ref` stands for such a value;
:func:`render` writes it as a Python expression evaluated where the hub runs, and
:func:`resolve` turns it into the real value (for tests and the Helm values).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

RefKind = Literal["root", "state", "python", "bin", "secret", "env"]


@dataclass(frozen=True, slots=True)
class Ref:
    """A value known only where the hub runs: a path, the interpreter, a secret, an env var."""

    kind: RefKind
    value: str = ""
    prefix: str = ""

    def expression(self) -> str:
        base = {
            "root": f"str(ROOT / {self.value!r})",
            "state": f"str(STATE / {self.value!r})",
            "python": "PYTHON",
            "bin": f"str(BIN / {self.value!r})",
            "secret": f"SECRETS[{self.value!r}]",
            "env": f"os.environ.get({self.value!r}, '')",
        }[self.kind]
        return f"{self.prefix!r} + {base}" if self.prefix else base


def root(path: str) -> Ref:
    return Ref("root", path)


def state(path: str, prefix: str = "") -> Ref:
    return Ref("state", path, prefix)


def python() -> Ref:
    return Ref("python")


def binary(name: str) -> Ref:
    return Ref("bin", name)


def secret(key: str) -> Ref:
    return Ref("secret", key)


def env(name: str) -> Ref:
    return Ref("env", name)


@dataclass(frozen=True)
class Where:
    """The real values behind references, on one machine."""

    root: Path
    state: Path
    python: str
    secrets: Mapping[str, str]
    environ: Mapping[str, str]


def resolve(value: Any, where: Where) -> Any:
    """``value`` with every :class:`Ref` replaced by its real value."""
    if isinstance(value, Ref):
        base = {
            "root": lambda: str(where.root / value.value),
            "state": lambda: str(where.state / value.value),
            "python": lambda: where.python,
            "bin": lambda: str(Path(where.python).parent / value.value),
            "secret": lambda: where.secrets[value.value],
            "env": lambda: where.environ.get(value.value, ""),
        }[value.kind]()
        return value.prefix + base
    if isinstance(value, Mapping):
        return {k: resolve(v, where) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [resolve(v, where) for v in value]
    return value


def contains_ref(value: Any) -> bool:
    if isinstance(value, Ref):
        return True
    if isinstance(value, Mapping):
        return any(contains_ref(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(contains_ref(v) for v in value)
    return False


def render(value: Any, indent: int = 0) -> str:
    """A Python expression for ``value``: literals as JSON-like Python, refs as expressions."""
    pad = "    " * (indent + 1)
    end = "    " * indent
    if isinstance(value, Ref):
        return value.expression()
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        items = [f"{pad}{k!r}: {render(v, indent + 1)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{end}}}"
    if isinstance(value, list | tuple):
        flat = "[" + ", ".join(render(v, indent + 1) for v in value) + "]"
        if len(flat) <= 80 and "\n" not in flat:
            return flat
        return "[\n" + "\n".join(f"{pad}{render(v, indent + 1)}," for v in value) + f"\n{end}]"
    if isinstance(value, bool) or value is None or isinstance(value, int | float | str):
        return repr(value)
    raise TypeError(f"cannot render {type(value).__name__} in generated config")


def to_json(value: Any) -> str:
    """Plain data (no refs) as stable, reviewable JSON."""
    if contains_ref(value):
        raise ValueError("JSON files cannot hold machine references; use a Python config file")
    return json.dumps(value, indent=2, sort_keys=True) + "\n"
