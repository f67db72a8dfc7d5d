"""Which names in the tutor's test code must come from the learner's namespace (pure)."""

from __future__ import annotations

import ast
import builtins
import symtable
from dataclasses import dataclass
from types import CodeType

_ALWAYS_LOCAL = frozenset({"__name__", "__builtins__", "__doc__", "get_ipython", "display"})


def to_python(source: str) -> str:
    """Notebook source (possibly with IPython magics) as plain Python."""
    from IPython.core.inputtransformer2 import TransformerManager  # noqa: PLC0415

    manager = TransformerManager()  # type: ignore[no-untyped-call]
    return str(manager.transform_cell(source))


@dataclass(frozen=True)
class Scan:
    assigned: frozenset[str]
    referenced: frozenset[str]


def scan(source: str) -> Scan:
    """Top-level names ``source`` binds, and global names it reads anywhere (nested too)."""
    try:
        table = symtable.symtable(source, "<test>", "exec")
    except SyntaxError:
        return Scan(frozenset(), frozenset())
    assigned: set[str] = set()
    referenced: set[str] = set()
    stack = [table]
    while stack:
        current = stack.pop()
        module = current.get_type() == "module"
        for sym in current.get_symbols():
            name = sym.get_name()
            if module and (sym.is_assigned() or sym.is_imported() or sym.is_namespace()):
                assigned.add(name)
            if sym.is_referenced() and (module or sym.is_global()):
                referenced.add(name)
            if not module and sym.is_declared_global() and sym.is_assigned():
                assigned.add(name)
        stack.extend(current.get_children())
    return Scan(frozenset(assigned), frozenset(referenced))


def free_names(trusted_sources: list[str]) -> frozenset[str]:
    """Names the tutor's code reads but never defines: the learner must provide them."""
    scans = [scan(s) for s in trusted_sources]
    assigned = set().union(*(s.assigned for s in scans)) if scans else set()
    referenced = set().union(*(s.referenced for s in scans)) if scans else set()
    return frozenset(referenced - assigned - set(dir(builtins)) - _ALWAYS_LOCAL)


def compile_cell(source: str, filename: str) -> tuple[CodeType, CodeType | None]:
    """Code for the cell, and for its final bare expression if any (shown as ``Out[n]``).

    Line numbers are kept, so tracebacks point at the tutor's lines.
    """
    tree = ast.parse(source, filename)
    last = tree.body[-1] if tree.body else None
    if isinstance(last, ast.Expr) and not source.rstrip().endswith(";"):
        body = compile(ast.Module(body=tree.body[:-1], type_ignores=[]), filename, "exec")
        return body, compile(ast.Expression(last.value), filename, "eval")
    return compile(tree, filename, "exec"), None
