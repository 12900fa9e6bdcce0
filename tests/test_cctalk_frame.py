"""The ccTalk message: known vectors, the checksum, strict decoding, a resyncing reader."""

from __future__ import annotations

import pytest

from drivers.payment.cctalk import new_events, parse_target
from drivers.payment.cctalk_frame import (
    Frame,
    FrameReader,
    Header,
    ProtocolError,
    checksum,
    coin_event_name,
    decode,
)
from kiosk.lab.cash.cctalk_device import next_counter

POLL_TO_2 = bytes.fromhex("020001feff")  # the specification's simple poll example
ACK_FROM_2 = bytes.fromhex("01000200fd")  # ... and its answer


def test_simple_poll_and_ack_encode_as_in_the_specification() -> None:
    assert Frame(2, 1, Header.SIMPLE_POLL).encode() == POLL_TO_2
    assert Frame(1, 2, Header.ACK).encode() == ACK_FROM_2
    assert decode(POLL_TO_2) == Frame(2, 1, 254)


def test_the_checksum_makes_every_message_sum_to_zero() -> None:
    frame = Frame(3, 1, Header.DISPENSE_HOPPER_COINS, bytes([7])).encode()
    assert frame == bytes([3, 1, 1, 167, 7, checksum(bytes([3, 1, 1, 167, 7]))])
    assert sum(frame) % 256 == 0


@pytest.mark.parametrize("raw", [b"", b"\x02\x00\x01\xfe", bytes.fromhex("020001fefe"),
                                 bytes.fromhex("020101feff"), POLL_TO_2 + b"\x00"])
def test_strict_decoding_refuses_short_long_and_bad_checksum(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode(raw)


def test_out_of_range_fields_are_protocol_errors() -> None:
    with pytest.raises(ProtocolError):
        Frame(256, 1, 254)
    with pytest.raises(ProtocolError):
        Frame(2, 1, 254, bytes(253))


def test_the_reader_returns_the_echo_then_the_answer_fed_a_byte_at_a_time() -> None:
    reader = FrameReader()
    frames = [f for b in POLL_TO_2 + ACK_FROM_2 for f in reader.feed(bytes([b]))]
    assert frames == [Frame(2, 1, 254), Frame(1, 2, 0)]


def test_the_reader_resyncs_after_garbage_even_a_long_false_length() -> None:
    reader = FrameReader()
    assert reader.feed(b"\x00\xff\x13\x37" + ACK_FROM_2) == [Frame(1, 2, 0)]
    assert reader.skipped == 4
    assert reader.pending() == 0


def test_the_event_counter_wraps_from_255_to_1_and_starts_at_0() -> None:
    assert [next_counter(c) for c in (0, 1, 254, 255)] == [1, 2, 255, 1]
    assert new_events(0, 3) == 3
    assert new_events(254, 2) == 3
    assert new_events(7, 7) == 0


def test_event_codes_are_named_from_the_specification_table() -> None:
    assert coin_event_name(1) == "reject coin"
    assert coin_event_name(2) == "inhibited coin"
    assert coin_event_name(14) == "credit sensor blocked"
    assert coin_event_name(130) == "inhibited coin (type 3)"


def test_a_target_names_a_line_and_an_address() -> None:
    assert parse_target("cctalk:/dev/ttyUSB1@2") == ("/dev/ttyUSB1", 2)
    for bad in ("cctalk:/dev/ttyUSB1", "id003:/dev/ttyUSB0@2", "cctalk:/dev/x@1", "cctalk:@3"):
        with pytest.raises(ValueError):
            parse_target(bad)
