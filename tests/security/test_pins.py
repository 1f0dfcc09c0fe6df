"""PINs: salted scrypt hashes, constant-time checks, and a throttle that slows but never locks out.

Issue 8: "repeated failures slow further tries (a delay, never a lock-out that a visitor could use
against reception)"; "admin and reception PINs stored as salted hashes (hashlib.scrypt), never in clear".
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.clock import FakeClock
from kiosk.security.pins import PinError, Throttle, hash_pin, is_pin_hash, validate_pin, verify_pin


def test_two_hashes_of_one_pin_differ_and_both_verify():
    first, second = hash_pin("4821"), hash_pin("4821")
    assert first != second
    assert first.startswith("scrypt$") and "4821" not in first
    assert verify_pin("4821", first) and verify_pin("4821", second)


def test_wrong_pin_and_malformed_hashes_never_verify():
    stored = hash_pin("4821")
    assert not verify_pin("4822", stored)
    assert not verify_pin("", stored)
    for bad in ("", "4821", "scrypt$x$8$1$AA==$AA==", "md5$1$2$3$4$5", stored[:-8],
                "scrypt$1048576$64$16$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="):
        assert not verify_pin("4821", bad)
        assert not is_pin_hash(bad)
    assert is_pin_hash(stored)


def test_hash_is_bound_to_its_salt():
    salt = b"0123456789abcdef"
    assert hash_pin("4821", salt=salt) == hash_pin("4821", salt=salt)
    assert hash_pin("4821", salt=salt) != hash_pin("4821", salt=b"fedcba9876543210")


@pytest.mark.parametrize("bad", ["", "77", "77a7", "７７７７", "7777777777777", " ", "77 77"])
def test_validate_pin_refuses_without_repeating_it(bad):
    with pytest.raises(PinError) as caught:
        validate_pin(bad)
    assert bad.strip() == "" or bad not in str(caught.value)


def test_throttle_grows_caps_and_never_locks_out():
    clock = FakeClock()
    throttle = Throttle(clock.monotonic)
    assert throttle.wait() == 0
    waits = [throttle.failure() for _ in range(12)]
    assert waits[:6] == [0, 1, 2, 4, 8, 16]
    assert max(waits) == 30 and waits[-1] == 30  # capped: never a lock-out
    assert throttle.wait() == 30
    clock.advance(29)
    assert throttle.wait() == pytest.approx(1)
    clock.advance(1)
    assert throttle.wait() == 0  # after at most 30 s, a try is always possible again
    throttle.success()
    assert throttle.failure() == 0


def test_throttle_forgets_old_failures():
    clock = FakeClock()
    throttle = Throttle(clock.monotonic, forget_after=900)
    for _ in range(5):
        throttle.failure()
    clock.advance(901)
    assert throttle.wait() == 0
    assert throttle.failure() == 0  # counted from scratch


@settings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(["fail", "ok", "tick"]), max_size=60))
def test_throttle_wait_is_always_between_0_and_cap(steps):
    clock = FakeClock()
    throttle = Throttle(clock.monotonic)
    for step in steps:
        if step == "fail":
            throttle.failure()
        elif step == "ok":
            throttle.success()
        else:
            clock.advance(3)
        assert 0 <= throttle.wait() <= throttle.cap
