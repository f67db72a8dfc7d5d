"""The few Linux system calls the sandbox needs, through ctypes (Python 3.11 has no os.unshare).

Only this module talks to libc directly; everything else uses its small typed functions.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import sys
from pathlib import Path

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000

MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
MNT_DETACH = 2

PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_CHILD_SUBREAPER = 36
PR_SET_NO_NEW_PRIVS = 38

_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}
_SYS_CAPSET = {"x86_64": 126, "aarch64": 91}
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_CAP_LAST = 63


class SandboxUnavailable(RuntimeError):
    """This machine cannot isolate learner code the way the settings ask."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


_LIBC = _libc() if sys.platform == "linux" else None


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def _lib() -> ctypes.CDLL:
    if _LIBC is None:
        raise SandboxUnavailable("the grading sandbox needs Linux")
    return _LIBC


def _machine() -> str:
    return os.uname().machine


def unshare(flags: int) -> None:
    _check(_lib().unshare(ctypes.c_int(flags)), "unshare")


def mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None
) -> None:
    lib = _lib()
    result = lib.mount(
        source.encode() if source else None,
        target.encode(),
        fstype.encode() if fstype else None,
        ctypes.c_ulong(flags),
        data.encode() if data else None,
    )
    _check(result, f"mount {target}")


def umount(target: str, flags: int = 0) -> None:
    _check(_lib().umount2(target.encode(), ctypes.c_int(flags)), f"umount {target}")


def pivot_root(new_root: str, put_old: str) -> None:
    number = _SYS_PIVOT_ROOT.get(_machine())
    if number is None:
        raise SandboxUnavailable(f"pivot_root is not wired for {_machine()}")
    _check(_lib().syscall(number, new_root.encode(), put_old.encode()), "pivot_root")


def prctl(option: int, arg: int) -> None:
    lib = _lib()
    _check(
        lib.prctl(
            ctypes.c_int(option),
            ctypes.c_ulong(arg),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
        ),
        f"prctl {option}",
    )


class _CapHeader(ctypes.Structure):
    _fields_ = (("version", ctypes.c_uint32), ("pid", ctypes.c_int))


class _CapData(ctypes.Structure):
    _fields_ = (
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    )


def drop_capabilities() -> None:
    """Clear the bounding set and every capability of this process (no way back)."""
    for cap in range(_CAP_LAST + 1):
        try:
            prctl(PR_CAPBSET_DROP, cap)
        except OSError as exc:
            if exc.errno != errno.EINVAL:  # EINVAL: no such capability on this kernel
                raise
    number = _SYS_CAPSET.get(_machine())
    if number is None:
        raise SandboxUnavailable(f"capset is not wired for {_machine()}")
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_lib().syscall(number, ctypes.byref(header), ctypes.byref(data)), "capset")


def write_id_maps(outer_uid: int, outer_gid: int) -> None:
    """Map root inside a new user namespace to the calling user outside it."""
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"0 {outer_uid} 1")
    Path("/proc/self/gid_map").write_text(f"0 {outer_gid} 1")


def mount_flags(path: str) -> int:
    """Flags a read-only remount of a bind of ``path`` must keep (locked in user namespaces)."""
    flags = os.statvfs(path).f_flag
    keep = 0
    for st_flag, ms_flag in (
        (os.ST_NOSUID, MS_NOSUID),
        (os.ST_NODEV, MS_NODEV),
        (os.ST_NOEXEC, MS_NOEXEC),
    ):
        if flags & st_flag:
            keep |= ms_flag
    return keep
