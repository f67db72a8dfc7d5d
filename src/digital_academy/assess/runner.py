"""The trusted test runner: tutor code runs in the grader, learner code only in the jail.

Test cells (and the tutor's locked setup cells) execute here, in a fresh namespace per
submission. Names the tutor's code reads but never defines are looked up in the learner's
kernel before each part runs (see :mod:`.names` and :mod:`.proxy`). A check passes when
its code finishes without an exception *in this process*: nothing the learner's process
prints or replies can make it pass.
"""

from __future__ import annotations

import builtins
import importlib
import io
import linecache
import sys
import traceback
import warnings
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from typing import Any

from .names import compile_cell, to_python
from .proxy import LearnerExit, Session
from .sandbox.client import SandboxLimit

REMOTE_KEY = "__academy_remote_names__"
#: Standard modules a test may receive as a module object from the learner's namespace.
SAFE_MODULES = frozenset(
    {
        "math",
        "cmath",
        "statistics",
        "random",
        "re",
        "string",
        "datetime",
        "time",
        "decimal",
        "fractions",
        "collections",
        "itertools",
        "functools",
        "operator",
        "json",
        "csv",
        "numpy",
        "pandas",
        "typing",
        "dataclasses",
        "enum",
        "textwrap",
        "unicodedata",
    }
)


@dataclass
class Outcome:
    status: str  # passed | failed | limit | not-run
    outputs: list[dict[str, Any]] = field(default_factory=list)
    limit: str | None = None


class _NoIPython:
    """``get_ipython()`` for tutor code: magics do nothing in the grader."""

    def run_line_magic(self, *args: Any, **kwargs: Any) -> None:
        return None

    def run_cell_magic(self, *args: Any, **kwargs: Any) -> None:
        return None

    def system(self, *args: Any, **kwargs: Any) -> None:
        return None


class _Out(io.TextIOBase):
    def __init__(self, name: str, outputs: list[dict[str, Any]]) -> None:
        self.name, self.outputs = name, outputs

    def write(self, text: str) -> int:
        append_stream(self.outputs, self.name, text)
        return len(text)


def append_stream(outputs: list[dict[str, Any]], name: str, text: str) -> None:
    if not text:
        return
    if outputs and outputs[-1].get("output_type") == "stream" and outputs[-1]["name"] == name:
        outputs[-1]["text"] += text
    else:
        outputs.append({"output_type": "stream", "name": name, "text": text})


def fresh_namespace() -> dict[str, Any]:
    ns: dict[str, Any] = {
        "__name__": "__main__",
        "__builtins__": builtins,
        "get_ipython": _NoIPython,
        "display": print,
    }
    ns[REMOTE_KEY] = set()
    return ns


def copy_namespace(ns: dict[str, Any]) -> dict[str, Any]:
    copied = dict(ns)
    copied[REMOTE_KEY] = set(ns[REMOTE_KEY])
    return copied


def error_output(exc: BaseException, filename_prefix: str) -> dict[str, Any]:
    """An nbformat error output: only frames of tutor code, plus the learner's own traceback."""
    if isinstance(exc, SandboxLimit):
        return {
            "output_type": "error",
            "ename": "GradingLimit",
            "evalue": exc.detail,
            "traceback": [f"GradingLimit: {exc.detail}"],
        }
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(filename_prefix)
    ]
    lines = ["Traceback (most recent call last):\n", *traceback.format_list(frames)]
    lines.extend(getattr(exc, "learner_traceback", [])[-10:])
    lines.extend(traceback.format_exception_only(type(exc), exc))
    return {
        "output_type": "error",
        "ename": type(exc).__name__,
        "evalue": str(exc),
        "traceback": [line.rstrip("\n") for line in lines],
    }


class TrustedRunner:
    def __init__(
        self,
        free: frozenset[str],
        modules: frozenset[str],
        request: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> None:
        self.free = free
        self.modules = modules | SAFE_MODULES
        self.request = request
        self._outputs: list[dict[str, Any]] = []
        self.session = Session(request, self._sink, self._module)

    def _sink(self, outputs: list[dict[str, Any]]) -> None:
        for output in outputs:
            if output.get("output_type") == "stream" and isinstance(output.get("text"), str):
                append_stream(
                    self._outputs,
                    "stderr" if output.get("name") == "stderr" else "stdout",
                    output["text"],
                )

    def _module(self, name: str) -> object | None:
        if name.split(".", maxsplit=1)[0] not in self.modules or not all(
            p.isidentifier() for p in name.split(".")
        ):
            return None
        try:
            return importlib.import_module(name)
        except ImportError:
            return None

    def refresh(self, ns: dict[str, Any]) -> None:
        """Bind the learner's current values of the free names into ``ns``."""
        if not self.free:
            return
        names = sorted(self.free)
        reply = self.request({"op": "lookup", "names": names})
        values = reply.get("values")
        if "fault" in reply or not isinstance(values, dict):
            fault = reply.get("fault", "the learner's names are unreadable")
            raise SandboxLimit("value", str(fault))
        remote: set[str] = ns[REMOTE_KEY]
        for name in names:
            data = values.get(name)
            if data is None or data == {"$": "missing"}:
                if name in remote:
                    remote.discard(name)
                    ns.pop(name, None)
                continue
            if name in ns and name not in remote:
                continue  # the tutor's own definition wins
            ns[name] = self.session.decode(data)
            remote.add(name)

    def run(self, source: str, label: str, ns: dict[str, Any], *, show_result: bool) -> Outcome:
        """Run one part of a test cell (or a setup cell) in ``ns``."""
        outputs: list[dict[str, Any]] = []
        self._outputs = outputs
        filename = f"<grading {label}>"
        python = to_python(source)
        linecache.cache[filename] = (len(python), None, python.splitlines(True), filename)
        stdout, stderr = _Out("stdout", outputs), _Out("stderr", outputs)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            warnings.filterwarnings("ignore", category=PendingDeprecationWarning)
            warnings.filterwarnings("default", category=DeprecationWarning, module="__main__")
            try:
                self.refresh(ns)
                code, expr = compile_cell(python, filename)
                with redirect_stdout(stdout), redirect_stderr(stderr):
                    exec(code, ns)
                    value = eval(expr, ns) if expr is not None else None
                    if show_result and value is not None:
                        outputs.append(
                            {
                                "output_type": "execute_result",
                                "execution_count": None,
                                "data": {"text/plain": repr(value)},
                                "metadata": {},
                            }
                        )
                status, limit = "passed", None
            except SandboxLimit as exc:
                outputs.append(error_output(exc, "<grading "))
                status, limit = "limit", exc.detail
            except KeyboardInterrupt:
                raise
            except (Exception, LearnerExit, SystemExit) as exc:  # a failed check
                outputs.append(error_output(exc, "<grading "))
                status, limit = "failed", None
        for warning in caught:
            text = warnings.formatwarning(
                warning.message, warning.category, warning.filename, warning.lineno, None
            )
            append_stream(outputs, "stderr", text)
        self._outputs = []
        sys.stdout.flush()
        return Outcome(status, outputs, limit)
