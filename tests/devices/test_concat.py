"""Multi-part SMS reassembly: any order, duplicates, restart, timeout, partial text for the SOS scan."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.devices.concat import GAP, Assembled, MemoryPartStore, Reassembler, message_key
from kiosk.devices.pdu import Concat, decode_pdu, encode_deliver, encode_deliver_parts

UTC = timezone.utc
T0 = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
SENDER = "+447700900123"
LONG = "Arrived at the visit, all calm. " * 4 + "Leaving at 15:30, back by 16:00 😀"


def parts_of(text: str, *, ref: int = 7, ref_bits: int = 8, sender: str = SENDER):
    return [decode_pdu(h) for h in encode_deliver_parts(sender, text, T0, ref=ref, ref_bits=ref_bits)]


def test_parts_in_every_order_give_the_same_message():
    parts = parts_of(LONG)
    assert len(parts) == 3
    for order in itertools.permutations(parts):
        r = Reassembler(MemoryPartStore())
        results = [r.add(SENDER, p, T0 + timedelta(seconds=i)) for i, p in enumerate(order)]
        assert results[:-1] == [None, None]
        whole = results[-1]
        assert isinstance(whole, Assembled)
        assert (whole.text, whole.incomplete, whole.parts_received, whole.parts_total) == (LONG, False, 3, 3)
        assert whole.sender == SENDER and whole.timestamp == T0
        assert r.pending() == []


@pytest.mark.parametrize("ref_bits", [8, 16])
def test_reference_sizes_do_not_mix(ref_bits):
    store = MemoryPartStore()
    r = Reassembler(store)
    a = parts_of("a" * 200, ref=5, ref_bits=8)
    b = parts_of("b" * 200, ref=5, ref_bits=16)
    assert r.add(SENDER, a[0], T0) is None
    assert r.add(SENDER, b[1], T0) is None
    assert len(store.keys()) == 2
    assert r.add(SENDER, a[1], T0).text == "a" * 200
    assert r.add(SENDER, b[0], T0).text == "b" * 200


def test_same_reference_from_two_senders_stays_apart():
    r = Reassembler(MemoryPartStore())
    a, b = parts_of("x" * 200, sender="+441"), parts_of("y" * 200, sender="VODAFONE")
    r.add("+441", a[0], T0)
    r.add("VODAFONE", b[0], T0)
    assert r.add("VODAFONE", b[1], T0) == Assembled("VODAFONE", "y" * 200, T0, 2, 2, False,
                                                    message_key("VODAFONE", b[1].concat))
    assert r.add("+441", a[1], T0).text == "x" * 200


def test_duplicate_parts_are_ignored_and_relisted_parts_after_completion_too():
    r = Reassembler(MemoryPartStore())
    p1, p2 = parts_of("z" * 300)
    assert r.add(SENDER, p1, T0) is None
    assert r.add(SENDER, p1, T0 + timedelta(seconds=1)) is None
    assert r.add(SENDER, p2, T0 + timedelta(seconds=2)).text == "z" * 300
    # the modem lists both parts again: no phantom message appears, not even at the timeout
    assert r.add(SENDER, p1, T0 + timedelta(seconds=3)) is None
    assert r.add(SENDER, p2, T0 + timedelta(seconds=3)) is None
    assert r.expire(T0 + timedelta(hours=1)) == []


def test_reassembly_survives_a_restart_over_the_same_store():
    store = MemoryPartStore()
    p1, p2, p3 = parts_of(LONG)
    first = Reassembler(store)
    first.add(SENDER, p3, T0)
    first.add(SENDER, p1, T0 + timedelta(seconds=5))
    second = Reassembler(store)  # the kiosk restarted
    key = Reassembler.key(SENDER, p2)
    assert second.partial_text(key) == p1.text + GAP + p3.text
    whole = second.add(SENDER, p2, T0 + timedelta(minutes=2))
    assert (whole.text, whole.timestamp, whole.incomplete) == (LONG, T0, False)
    assert store.keys() == []


def test_timeout_hands_back_an_incomplete_message_with_gap_markers():
    store = MemoryPartStore()
    r = Reassembler(store, timeout=timedelta(minutes=10))
    p1, p2, p3 = parts_of(LONG)
    r.add(SENDER, p1, T0)
    r.add(SENDER, p3, T0 + timedelta(minutes=1))
    assert r.expire(T0 + timedelta(minutes=9, seconds=59)) == []
    [late] = r.expire(T0 + timedelta(minutes=10))
    assert late.incomplete and (late.parts_received, late.parts_total) == (2, 3)
    assert late.text == p1.text + GAP + p3.text
    assert late.sender == SENDER and late.timestamp == T0
    assert store.keys() == [] and r.expire(T0 + timedelta(hours=1)) == []


def test_timeout_also_applies_after_a_restart():
    store = MemoryPartStore()
    p1, _, _ = parts_of(LONG)
    Reassembler(store).add(SENDER, p1, T0)
    [late] = Reassembler(store).expire(T0 + timedelta(minutes=11))
    assert late.text == p1.text + GAP + GAP and late.incomplete


def test_partial_text_lets_the_caller_scan_each_part_at_once():
    r = Reassembler(MemoryPartStore())
    p1, p2, p3 = parts_of(LONG)
    key = Reassembler.key(SENDER, p2)
    assert r.partial_text(key) == ""
    r.add(SENDER, p2, T0)
    assert r.partial_text(key) == GAP + p2.text + GAP
    r.add(SENDER, p1, T0)
    assert r.partial_text(key) == p1.text + p2.text + GAP


def test_single_part_message_passes_straight_through():
    r = Reassembler(MemoryPartStore())
    msg = decode_pdu(encode_deliver(SENDER, "OK", T0))
    assert Reassembler.key(SENDER, msg) is None
    whole = r.add(SENDER, msg, T0)
    assert (whole.text, whole.parts_total, whole.incomplete) == ("OK", 1, False)
    assert r.pending() == []


def test_a_different_message_on_the_same_key_does_not_mix():
    r = Reassembler(MemoryPartStore())
    old = parts_of("o" * 300)
    new = parts_of("n" * 300)  # same sender, reference and count: a reference reused too soon
    r.add(SENDER, old[0], T0)
    older = r.add(SENDER, new[0], T0 + timedelta(minutes=1))
    assert older.incomplete and older.text == "o" * 153 + GAP
    assert r.add(SENDER, new[1], T0 + timedelta(minutes=1)).text == "n" * 300


def test_a_part_with_the_missing_part_numbers_is_kept_in_order():
    r = Reassembler(MemoryPartStore())
    msg = decode_pdu(encode_deliver(SENDER, "third", T0, concat=Concat(9, 3, 3)))
    assert r.add(SENDER, msg, T0) is None
    [late] = r.expire(T0 + timedelta(minutes=10))
    assert late.text == GAP + GAP + "third"


def test_naive_times_are_refused():
    r = Reassembler(MemoryPartStore())
    with pytest.raises(ValueError, match="aware"):
        r.expire(datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        Reassembler(MemoryPartStore(), timeout=timedelta(0))


any_text = st.text(alphabet=st.one_of(st.sampled_from("aZ0 €[]{}^~\\|\f@£"),
                                      st.characters(exclude_categories=("Cs",)),
                                      st.sampled_from("😀🆘👍🏽")), max_size=500)


@settings(max_examples=120, deadline=None)
@given(any_text, st.integers(0, 0xFFFF), st.sampled_from([8, 16]), st.randoms(use_true_random=False))
def test_any_text_split_shuffled_and_duplicated_comes_back_whole_once(text, ref, ref_bits, rnd):
    ref = ref & 0xFF if ref_bits == 8 else ref
    parts = parts_of(text, ref=ref, ref_bits=ref_bits)
    # the modem re-lists some parts (single-part duplicates are the caller's fingerprint's job)
    arrivals = parts + (rnd.sample(parts, k=min(2, len(parts))) if len(parts) > 1 else [])
    rnd.shuffle(arrivals)
    r = Reassembler(MemoryPartStore())
    results = [r.add(SENDER, p, T0 + timedelta(seconds=i)) for i, p in enumerate(arrivals)]
    whole = [a for a in results if a is not None]
    assert len(whole) == 1
    assert (whole[0].text, whole[0].incomplete, whole[0].parts_total) == (text, False, len(parts))
    assert r.pending() == [] and r.expire(T0 + timedelta(days=1)) == []


def test_expire_completes_a_message_left_whole_in_the_store_by_a_crash():
    store = MemoryPartStore()
    p1, p2 = parts_of("w" * 300)
    key = Reassembler.key(SENDER, p1)
    # the process died after storing the last part, before handing the message on
    store.add(key, 2, 2, p2.text, T0)
    store.add(key, 1, 2, p1.text, T0 + timedelta(seconds=1))
    [whole] = Reassembler(store).expire(T0 + timedelta(seconds=2))
    assert (whole.text, whole.incomplete, whole.sender) == ("w" * 300, False, SENDER)
    assert store.keys() == []
