"""Publishing without ever destroying the last good site: build aside, then swap.

The new site is assembled in a staging folder beside the published one and exchanged
with it in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere two renames,
with recovery at the next build if interrupted between them). A build killed at any
moment leaves the published folder complete: either the old site or the new one.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
STAGING_PREFIX = ".site-staging-"
OLD_PREFIX = ".site-old-"
LOCK_NAME = ".build.lock"


class BuildLocked(RuntimeError):
    """Another build is publishing into the same folder."""


@contextlib.contextmanager
def build_lock(work: Path) -> Iterator[None]:
    """One build at a time per site; the lock goes with the process, even if it is killed."""
    work.mkdir(parents=True, exist_ok=True)
    with (work / LOCK_NAME).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise BuildLocked(f"another build is running in {work}; wait for it to finish") from exc
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def recover(site: Path) -> None:
    """Undo what an interrupted build left: restore a half-swapped site, drop staging."""
    parent = site.parent
    if not parent.is_dir():
        return
    olds = sorted(parent.glob(OLD_PREFIX + "*"))
    if not site.exists() and olds:
        olds[-1].rename(site)
        olds = olds[:-1]
    for leftover in [*olds, *parent.glob(STAGING_PREFIX + "*")]:
        shutil.rmtree(leftover, ignore_errors=True)


def staging_dir(site: Path) -> Path:
    path = site.parent / f"{STAGING_PREFIX}{os.getpid()}"
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths; False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in {errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP}:
        return False
    raise OSError(err, os.strerror(err), str(a))


def publish(staging: Path, site: Path) -> None:
    """Make ``staging`` the published ``site``; the old site is removed afterwards."""
    if not site.exists():
        staging.rename(site)
        return
    if _exchange(staging, site):
        shutil.rmtree(staging)  # now holds the old site
        return
    old = site.parent / f"{OLD_PREFIX}{os.getpid()}"
    site.rename(old)
    staging.rename(site)
    shutil.rmtree(old)
