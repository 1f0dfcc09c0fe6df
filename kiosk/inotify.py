"""Linux inotify through the C library, so the board can sleep until the database file changes.

Why not a package: inotify is three system calls, and the well-kept wrappers (inotify_simple,
watchdog) are either this same ctypes code or far more than the board needs. Here it is only ever a
hint that something *may* have changed: the caller still asks SQLite (`PRAGMA data_version`) and
keeps a slow poll as a safety net, so an event lost, a filesystem without inotify (NFS, some FUSE
mounts) or a non-Linux system costs latency, never a missed alarm.
Must never raise from `open_directory_watch` (it returns None instead) and never block in `drain`.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import struct
from pathlib import Path

IN_MODIFY = 0x00000002
IN_CLOSE_WRITE = 0x00000008
IN_MOVED_TO = 0x00000080
IN_CREATE = 0x00000100
IN_DELETE = 0x00000200
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC
# a commit appends to (or creates) the -wal file; a checkpoint or a rollback-journal commit writes
# the database file itself; a restore replaces it (moved to)
CHANGE_MASK = IN_MODIFY | IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE


def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name or "libc.so.6", use_errno=True)
        libc.inotify_init1  # noqa: B018 - present only on Linux
        libc.inotify_add_watch  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def open_directory_watch(directory: Path) -> int | None:
    """A non-blocking inotify descriptor watching `directory` for file changes, or None where the
    system offers none (not Linux, no watches left, no such directory). The caller closes it."""
    libc = _libc()
    if libc is None:
        return None
    fd = libc.inotify_init1(IN_NONBLOCK | IN_CLOEXEC)
    if fd < 0:
        return None
    if libc.inotify_add_watch(fd, os.fsencode(directory), CHANGE_MASK) < 0:
        os.close(fd)
        return None
    return fd


def drain(fd: int, names: frozenset[str]) -> bool:
    """Read every pending event; True if any was about one of `names` (files in the directory)."""
    hit = False
    while True:
        try:
            data = os.read(fd, 64 * 1024)
        except BlockingIOError:
            return hit
        except OSError:
            return True  # the descriptor is unwell: let the caller look at the database anyway
        if not data:
            return hit
        hit = hit or _any_named(data, names)


def _any_named(data: bytes, names: frozenset[str]) -> bool:
    """struct inotify_event { int wd; uint32 mask, cookie, len; char name[len]; } back to back."""
    offset = 0
    while offset + _HEADER.size <= len(data):
        _wd, _mask, _cookie, length = _HEADER.unpack_from(data, offset)
        start = offset + _HEADER.size
        if data[start:start + length].rstrip(b"\0").decode("utf-8", "replace") in names:
            return True
        offset = start + length
    return False


_HEADER = struct.Struct("iIII")  # native byte order, as the kernel writes it
