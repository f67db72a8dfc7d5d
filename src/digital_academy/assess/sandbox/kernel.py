"""The sandbox kernel: runs learner cells in IPython and answers the grader's questions.

This module runs *inside* the jail, in the learner's process, so nothing it says is trusted:
the grader treats every reply as data (see ``assess/runner.py``). It is loaded into the
zygote before any learner code exists, and each jail gets a fresh fork of that clean state.

Requests (JSON, see ``channel.py``)::

    execute {code}            run a cell; reply with nbformat outputs
    lookup {names}            the values of names in the learner's namespace
    call/getattr/getitem/len/iter/bool/str {ref, ...}
                              operate on a learner object the grader holds a reference to
    snapshot                  fork a frozen copy of this kernel; reply carries its socket
    exit
"""

from __future__ import annotations

import base64
import itertools
import os
import signal
import socket
import sys
import traceback
import types
from typing import Any

from .. import codec
from .channel import Channel, ChannelClosed, ProtocolError

MAX_STREAM = 1024 * 1024
_counter = itertools.count()


class _Sink:
    """Where outputs of the current request go."""

    outputs: list[dict[str, Any]] = []  # noqa: RUF012 - deliberately one shared list

    @classmethod
    def stream(cls, name: str, text: str) -> None:
        last = cls.outputs[-1] if cls.outputs else None
        if last is not None and last.get("output_type") == "stream" and last["name"] == name:
            if len(last["text"]) < MAX_STREAM:
                last["text"] += text
            return
        cls.outputs.append({"output_type": "stream", "name": name, "text": text})


class _Stream:
    """A text stream that becomes notebook stream outputs."""

    encoding = "utf-8"
    errors = "strict"

    def __init__(self, name: str) -> None:
        self.name = name

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        if text:
            _Sink.stream(self.name, text)
        return len(text)

    def writelines(self, lines: list[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def fileno(self) -> int:
        return 1 if self.name == "stdout" else 2

    def writable(self) -> bool:
        return True

    def readable(self) -> bool:
        return False


def _jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def make_shell() -> Any:
    """An IPython shell whose outputs become notebook outputs (made once, in the zygote)."""
    from IPython.core.displayhook import DisplayHook  # noqa: PLC0415
    from IPython.core.displaypub import DisplayPublisher  # noqa: PLC0415
    from IPython.core.interactiveshell import InteractiveShell  # noqa: PLC0415

    class Publisher(DisplayPublisher):
        def publish(self, data: Any, metadata: Any = None, *args: Any, **kwargs: Any) -> None:
            _Sink.outputs.append(
                {
                    "output_type": "display_data",
                    "data": _jsonable(data),
                    "metadata": _jsonable(metadata or {}),
                }
            )

        def clear_output(self, wait: bool = False) -> None:
            _Sink.outputs.clear()

    class Hook(DisplayHook):
        def start_displayhook(self) -> None:
            pass

        def write_output_prompt(self) -> None:
            pass

        def finish_displayhook(self) -> None:
            pass

        def log_output(self, format_dict: Any) -> None:
            pass

        def write_format_data(self, format_dict: Any, md_dict: Any = None) -> None:
            _Sink.outputs.append(
                {
                    "output_type": "execute_result",
                    "execution_count": getattr(self.shell, "execution_count", None),
                    "data": _jsonable(format_dict),
                    "metadata": _jsonable(md_dict or {}),
                }
            )

    class Shell(InteractiveShell):
        displayhook_class = Hook
        display_pub_class = Publisher

        def _showtraceback(self, etype: Any, evalue: Any, stb: list[str]) -> None:
            _Sink.outputs.append(
                {
                    "output_type": "error",
                    "ename": getattr(etype, "__name__", "?"),
                    "evalue": str(evalue),
                    "traceback": [str(s) for s in stb],
                }
            )

    from traitlets.config import Config  # noqa: PLC0415

    config = Config()
    config.HistoryManager.enabled = False  # no history thread, no sqlite file: fork-safe
    return Shell.instance(config=config, colors="nocolor")


class Agent:
    def __init__(self, chan: Channel, shell: Any) -> None:
        self.chan = chan
        self.shell = shell
        self.pid = os.getpid()
        self.generation = f"{self.pid}.{next(_counter)}"
        self.refs: dict[str, object] = {}

    # -- references -----------------------------------------------------------------
    def make_ref(self, obj: object) -> dict[str, Any]:
        key = f"{self.generation}:{len(self.refs)}"
        self.refs[key] = obj
        ref: dict[str, Any] = {
            "$": "ref",
            "id": key,
            "type": type(obj).__name__,
            "callable": callable(obj),
        }
        if type(obj) is types.ModuleType:
            ref["module"] = str(obj.__dict__.get("__name__", ""))
        return ref

    def resolve(self, data: dict[str, Any]) -> object:
        key = data.get("id")
        if not isinstance(key, str) or key not in self.refs:
            raise codec.CodecError("unknown reference")
        return self.refs[key]

    def encode(self, value: object) -> Any:
        return codec.encode(value, self.make_ref)

    # -- requests -------------------------------------------------------------------
    def loop(self) -> None:
        while True:
            self._only_me()
            try:
                message = self.chan.recv()
            except KeyboardInterrupt:
                continue
            except (ChannelClosed, ProtocolError, OSError):
                os._exit(0)
            body = message.body
            op = body.get("op")
            if op == "exit":
                os._exit(0)
            if op == "snapshot":
                self.snapshot()
                continue
            _Sink.outputs = []
            try:
                reply = self.handle(str(op), body)
            except codec.CodecError as exc:
                reply = {"fault": f"value cannot be passed to the grader: {exc}"}
            except BaseException as exc:
                reply = {"error": _error(exc)}
            self._only_me()
            reply["outputs"] = _Sink.outputs
            _Sink.outputs = []
            try:
                self.chan.send(reply)
            except (ProtocolError, ValueError, TypeError) as exc:
                self.chan.send({"fault": f"reply cannot be sent: {exc}"[:1000], "outputs": []})

    def _only_me(self) -> None:
        """A process learner code forked must not answer the grader: it ends here."""
        if os.getpid() != self.pid:
            os._exit(0)

    def handle(self, op: str, body: dict[str, Any]) -> dict[str, Any]:
        if op == "execute":
            return self.execute(str(body.get("code", "")))
        if op == "lookup":
            ns = self.shell.user_ns
            missing = {"$": "missing"}
            return {
                "values": {
                    str(n): self.encode(ns[n]) if n in ns else missing
                    for n in body.get("names", [])
                }
            }
        target = self.resolve(body)
        decode = self._decode
        if op == "call":
            assert callable(target)
            args = [decode(a) for a in body.get("args", [])]
            kwargs = {str(k): decode(v) for k, v in dict(body.get("kwargs", {})).items()}
            return {"value": self.encode(target(*args, **kwargs))}
        if op == "getattr":
            return {"value": self.encode(getattr(target, str(body["name"])))}
        if op == "getitem":
            return {"value": self.encode(target[decode(body["key"])])}  # type: ignore[index]
        if op == "len":
            return {"value": len(target)}  # type: ignore[arg-type]
        if op == "iter":
            items = list(itertools.islice(iter(target), 1_000_001))  # type: ignore[call-overload]
            return {"value": self.encode(items)}
        if op == "bool":
            return {"value": bool(target)}
        if op in ("str", "repr"):
            return {"value": (str if op == "str" else repr)(target)[:100_000]}
        raise ValueError(f"unknown request {op!r}")

    def _decode(self, data: Any) -> object:
        return codec.decode(data, self.resolve)

    def execute(self, code: str) -> dict[str, Any]:
        result = self.shell.run_cell(code, store_history=True)
        ok = not (result.error_before_exec or result.error_in_exec)
        return {"status": "ok" if ok else "error", "execution_count": result.execution_count}

    def snapshot(self) -> None:
        """Fork a frozen copy; its socket goes back to the grader with the reply."""
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        pid = os.fork()
        if pid == 0:
            self.chan.sock.close()
            mine.close()
            self.chan = Channel(theirs)
            self.pid = os.getpid()
            self.generation = f"{self.pid}.{next(_counter)}"
            self.loop()
            os._exit(0)
        theirs.close()
        self.chan.send({"snapshot": True, "pid": pid, "outputs": []}, fds=[mine.fileno()])
        mine.close()


def _error(exc: BaseException) -> dict[str, Any]:
    names = [str(c.__name__) for c in type(exc).__mro__]
    try:
        evalue = str(exc)[:10_000]
        text = traceback.format_exception(type(exc), exc, exc.__traceback__)[-20:]
    except BaseException:
        evalue, text = "(message could not be shown)", []
    return {"ename": names[0], "evalue": evalue, "mro": names, "traceback": text}


def serve(fd: int, shell: Any) -> None:
    """Become the kernel: capture outputs and answer requests until told to stop."""
    sys.stdout = _Stream("stdout")  # type: ignore[assignment,unused-ignore]
    sys.stderr = _Stream("stderr")  # type: ignore[assignment,unused-ignore]
    signal.signal(signal.SIGINT, signal.default_int_handler)
    Agent(Channel.from_fd(fd), shell).loop()
