"""Reassembly of multi-part (concatenated) SMS: any arrival order, across a restart, with a timeout.

Every part goes into a `PartStore` as it arrives (the gateway supplies a database-backed one, so a
restart loses nothing); a message whose parts are all there is handed back joined in sequence order;
one whose last part never comes is handed back by `expire()` after the timeout, marked incomplete,
with a visible gap marker — it is never dropped. Pure code: no I/O of its own, no clock (the caller
passes every time), nothing about visits.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from kiosk.devices.pdu import Concat, Deliver

GAP = "…"
"""Shown in place of each missing part of an incomplete message."""

DEFAULT_TIMEOUT = timedelta(minutes=10)


class PartStore(Protocol):
    """Durable home of the parts received so far, one entry per message key.

    Keys are opaque strings (at most a few hundred characters); seq is 1..total. Implementations must
    make `add` atomic: after it returns the part survives a crash. The gateway implements this with
    a database table (key, seq, total, text, received_at) whose primary key is (key, seq).
    """

    def add(self, key: str, seq: int, total: int, text: str, received_at: datetime) -> bool:
        """Store one part; False (and nothing changed) if part `seq` of `key` is already stored."""

    def parts(self, key: str) -> dict[int, tuple[str, datetime]]:
        """seq -> (text, received_at) for every stored part of `key` (empty if none)."""

    def total(self, key: str) -> int:
        """The part count announced for `key` (0 if nothing is stored for it)."""

    def remove(self, key: str) -> None:
        """Forget every part of `key` (no error if there are none)."""

    def keys(self) -> list[str]:
        """Every key that has at least one part stored."""


class MemoryPartStore:
    """A PartStore in memory: for tests, the simulator, and a kiosk without a database."""

    def __init__(self) -> None:
        self._parts: dict[str, dict[int, tuple[str, datetime]]] = {}
        self._totals: dict[str, int] = {}
        self._lock = threading.Lock()

    def add(self, key: str, seq: int, total: int, text: str, received_at: datetime) -> bool:
        with self._lock:
            parts = self._parts.setdefault(key, {})
            if seq in parts:
                return False
            parts[seq] = (text, received_at)
            self._totals[key] = total
            return True

    def parts(self, key: str) -> dict[int, tuple[str, datetime]]:
        with self._lock:
            return dict(self._parts.get(key, {}))

    def total(self, key: str) -> int:
        with self._lock:
            return self._totals.get(key, 0)

    def remove(self, key: str) -> None:
        with self._lock:
            self._parts.pop(key, None)
            self._totals.pop(key, None)

    def keys(self) -> list[str]:
        with self._lock:
            return [k for k, v in self._parts.items() if v]


@dataclass(frozen=True)
class Assembled:
    """A whole message (or, after the timeout, as much of it as arrived)."""

    sender: str
    text: str
    timestamp: datetime  # when its first part was received (the earliest received_at)
    parts_received: int
    parts_total: int
    incomplete: bool
    key: str


def message_key(sender: str, concat: Concat) -> str:
    """The store key of a concatenated message: sender, reference size, reference and part count."""
    return f"{sender}|{concat.ref_bits}|{concat.ref}|{concat.total}"


def _sender_of(key: str) -> str:
    return key.rsplit("|", 3)[0]


def _join(parts: dict[int, tuple[str, datetime]], total: int) -> str:
    return "".join(parts[seq][0] if seq in parts else GAP for seq in range(1, total + 1))


class Reassembler:
    """Joins the parts of concatenated messages kept in a PartStore. Thread-safe.

    Duplicates: a part already stored is ignored; a part identical to one of a message completed in
    the last `timeout` by this Reassembler is ignored too (modems re-list messages). Two different
    messages colliding on the same key (same sender, reference and count, same part number, different
    text) cannot be mixed: the older one is handed back at once, incomplete, and the newer starts over.
    """

    def __init__(self, store: PartStore, *, timeout: timedelta = DEFAULT_TIMEOUT) -> None:
        if timeout <= timedelta(0):
            raise ValueError("reassembly timeout must be positive")
        self.store = store
        self.timeout = timeout
        self._lock = threading.RLock()
        self._completed: dict[str, tuple[datetime, dict[int, str]]] = {}

    @staticmethod
    def key(sender: str, deliver: Deliver) -> str | None:
        """The key `add` files this message under, or None for a single-part message."""
        return message_key(sender, deliver.concat) if deliver.concat else None

    def add(self, sender: str, deliver: Deliver, received_at: datetime) -> Assembled | None:
        """File one received part; the whole message once every part is there, else None.

        A single-part message comes straight back. See the class docstring for duplicates and
        collisions (a collision returns the older message, incomplete).
        """
        _require_aware(received_at)
        concat = deliver.concat
        if concat is None:
            return Assembled(sender, deliver.text, received_at, 1, 1, False, f"{sender}|single")
        key = message_key(sender, concat)
        with self._lock:
            self._forget_completed(received_at)
            done = self._completed.get(key)
            if done and done[1].get(concat.seq) == deliver.text:
                return None  # a re-listed part of a message already handed back
            if self.store.add(key, concat.seq, concat.total, deliver.text, received_at):
                return self._complete_if_whole(key)
            stored = self.store.parts(key).get(concat.seq)
            if stored is None or stored[0] == deliver.text:
                return None  # duplicate part
            older = self._assemble(key, incomplete=True)
            self.store.remove(key)
            self.store.add(key, concat.seq, concat.total, deliver.text, received_at)
            return older

    def partial_text(self, key: str) -> str:
        """The parts of `key` stored so far, in order, with GAP for missing ones ("" if none)."""
        with self._lock:
            parts = self.store.parts(key)
            if not parts:
                return ""
            total = max(self.store.total(key), max(parts))
            return _join(parts, total)

    def pending(self) -> list[str]:
        """Keys of messages still waiting for parts."""
        return self.store.keys()

    def expire(self, now: datetime) -> list[Assembled]:
        """Hand back (and forget) every message whose first part arrived `timeout` or more ago.

        Also completes any message that is whole in the store (e.g. after a crash mid-add).
        """
        _require_aware(now)
        out: list[Assembled] = []
        with self._lock:
            self._forget_completed(now)
            for key in sorted(self.store.keys()):
                parts = self.store.parts(key)
                if not parts:
                    self.store.remove(key)
                    continue
                whole = self._complete_if_whole(key)
                if whole is not None:
                    out.append(whole)
                elif now - min(at for _, at in parts.values()) >= self.timeout:
                    out.append(self._assemble(key, incomplete=True))
                    self.store.remove(key)
        return out

    def _complete_if_whole(self, key: str) -> Assembled | None:
        parts = self.store.parts(key)
        total = self.store.total(key)
        if len(parts) < total:
            return None
        whole = self._assemble(key, incomplete=False)
        self._completed[key] = (whole.timestamp, {seq: text for seq, (text, _) in parts.items()})
        self.store.remove(key)
        return whole

    def _assemble(self, key: str, *, incomplete: bool) -> Assembled:
        parts = self.store.parts(key)
        total = max(self.store.total(key), max(parts, default=0))
        first = min(at for _, at in parts.values())
        return Assembled(sender=_sender_of(key), text=_join(parts, total), timestamp=first,
                         parts_received=len(parts), parts_total=total, incomplete=incomplete,
                         key=key)

    def _forget_completed(self, now: datetime) -> None:
        stale = [k for k, (at, _) in self._completed.items() if now - at > self.timeout * 2]
        for k in stale:
            del self._completed[k]


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times given to the reassembler must be timezone-aware")
