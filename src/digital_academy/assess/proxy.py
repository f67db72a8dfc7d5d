"""Stand-ins for learner objects inside the grader's test namespace.

A test cell runs in the grader's own process. When it names something the learner
defined, it gets either a *decoded plain value* (list, int, DataFrame, ...) or a
:class:`RemoteObject` that forwards calls to the learner's kernel. Comparisons happen on
decoded values in the grader, so a learner object can never decide a test: a
``RemoteObject`` compares equal only to itself and has no ``__contains__`` or ordering,
and nothing the test compares against is ever sent to the learner's process.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator
from typing import Any

from . import codec
from .sandbox.client import SandboxLimit

#: Called with every stream output learner code produced while serving a request.
OutputSink = Callable[[list[dict[str, Any]]], None]


class LearnerError(Exception):
    """An exception raised by learner code whose type is not a built-in one."""

    def __init__(self, ename: str, evalue: str) -> None:
        super().__init__(f"{ename}: {evalue}" if evalue else ename)
        self.ename = ename


class LearnerExit(BaseException):
    """Learner code raised SystemExit, KeyboardInterrupt or GeneratorExit."""


_NOT_FORWARDED = frozenset(
    {"SystemExit", "KeyboardInterrupt", "GeneratorExit", "BaseException", "BaseExceptionGroup"}
)


def learner_exception(error: dict[str, Any]) -> BaseException:
    """The grader-side exception standing for one a learner's code raised."""
    ename, evalue = str(error.get("ename", "Exception")), str(error.get("evalue", ""))
    mro = [str(n) for n in error.get("mro", [ename])]
    if any(n in _NOT_FORWARDED for n in mro[:1]) or not mro:
        exc: BaseException = LearnerExit(f"{ename}: {evalue}")
    else:
        exc = LearnerError(ename, evalue)
        for name in mro:
            cls = getattr(builtins, name, None)
            if not (isinstance(cls, type) and issubclass(cls, Exception)):
                continue
            try:
                exc = cls(evalue if name == ename else f"{ename}: {evalue}")
            except Exception:
                continue
            break
    exc.learner_traceback = [str(t) for t in error.get("traceback", [])]  # type: ignore[attr-defined]
    return exc


class Session:
    """The grader's connection to one submission's learner code."""

    def __init__(
        self,
        request: Callable[[dict[str, Any]], dict[str, Any]],
        sink: OutputSink,
        module_ok: Callable[[str], object | None],
    ) -> None:
        self.request = request
        self.sink = sink
        self.module_ok = module_ok

    def ask(self, body: dict[str, Any]) -> Any:
        reply = self.request(body)
        outputs = reply.get("outputs", [])
        if isinstance(outputs, list):
            self.sink([o for o in outputs if isinstance(o, dict)])
        if "fault" in reply:
            raise SandboxLimit("value", str(reply["fault"])[:500])
        if reply.get("timed_out"):
            raise SandboxLimit("time", "a check waited too long for learner code")
        if "error" in reply:
            error = reply["error"]
            raise learner_exception(error if isinstance(error, dict) else {})
        return self.decode(reply.get("value"))

    def decode(self, data: Any) -> object:
        try:
            return codec.decode(data, self.from_ref)
        except codec.CodecError as exc:
            raise SandboxLimit(
                "value", f"learner code returned something unreadable: {exc}"
            ) from None

    def encode(self, value: object) -> Any:
        def to_ref(obj: object) -> dict[str, Any]:
            if isinstance(obj, RemoteObject) and obj._session is self:
                ref: dict[str, Any] = obj._ref
                return ref
            raise TypeError(
                f"a {type(obj).__name__} cannot be passed to learner code when "
                "grading; tests pass plain values (numbers, text, lists, arrays, "
                "data frames)"
            )

        return codec.encode(value, to_ref)

    def from_ref(self, ref: dict[str, Any]) -> object:
        module = ref.get("module")
        if isinstance(module, str) and module:
            local = self.module_ok(module)
            if local is not None:
                return local
        return RemoteObject(self, ref)


class RemoteObject:
    """A learner object the test may call or inspect, but never compare by value."""

    __slots__ = ("_ref", "_session")

    def __init__(self, session: Session, ref: dict[str, Any]) -> None:
        object.__setattr__(self, "_session", session)
        object.__setattr__(self, "_ref", {"$": "ref", "id": str(ref.get("id", ""))})

    def _ask(self, op: str, **fields: Any) -> Any:
        return self._session.ask({"op": op, "id": self._ref["id"], **fields})

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        session = self._session
        return self._ask(
            "call",
            args=[session.encode(a) for a in args],
            kwargs={str(k): session.encode(v) for k, v in kwargs.items()},
        )

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self._ask("getattr", name=name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError("tests cannot change learner objects")

    def __getitem__(self, key: Any) -> Any:
        return self._ask("getitem", key=self._session.encode(key))

    def __len__(self) -> int:
        value = self._ask("len")
        if type(value) is not int or value < 0:
            raise SandboxLimit("value", "len() of a learner object was not a count")
        return value

    def __iter__(self) -> Iterator[Any]:
        items = self._ask("iter")
        if type(items) is not list:
            raise SandboxLimit("value", "iterating a learner object did not give a list")
        return iter(items)

    def __bool__(self) -> bool:
        return self._ask("bool") is True

    def __str__(self) -> str:
        return str(self._ask("str"))

    def __repr__(self) -> str:
        return str(self._ask("repr"))

    __hash__ = object.__hash__

    def __eq__(self, other: object) -> bool:
        return self is other

    def __ne__(self, other: object) -> bool:
        return self is not other
