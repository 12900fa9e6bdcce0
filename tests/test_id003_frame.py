"""The ID-003 frame codec: known vectors, the CRC, strict decoding, and a fuzzer (hypothesis)
feeding the decoder, the driver and the emulated unit random and malformed bytes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.payment.id003 import Id003Validator
from drivers.payment.id003_frame import (
    SYNC,
    Command,
    Frame,
    FrameReader,
    Id003Error,
    ProtocolError,
    crc16,
    decode,
    encode,
)
from kiosk.lab.cash.id003_device import Id003Device


def test_the_crc_is_crc16_kermit() -> None:
    assert crc16(b"123456789") == 0x2189  # the catalogued check value of CRC-16/KERMIT
    assert crc16(b"") == 0


@pytest.mark.parametrize(("frame", "wire"), [
    (Frame(Command.STATUS_REQUEST), "fc 05 11 27 56"),  # the status request as logged in the wild
    (Frame(Command.ACK), "fc 05 50 aa 05"),
    (Frame(Command.SET_INHIBIT, b"\x01"), "fc 06 c3 01 8d c7"),
])
def test_known_frames_encode_and_decode(frame: Frame, wire: str) -> None:
    raw = bytes.fromhex(wire)
    assert encode(frame) == raw
    assert decode(raw) == frame


@pytest.mark.parametrize("raw", [
    b"", b"\xfc\x05\x11\x27", b"\xfd\x05\x11\x27\x56", b"\xfc\x06\x11\x27\x56",
    b"\xfc\x05\x11\x27\x57", b"\xfc\x05\x11\x56\x27",
])
def test_a_malformed_frame_is_a_protocol_error(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        decode(raw)


def test_a_frame_longer_than_a_length_byte_cannot_be_made() -> None:
    with pytest.raises(ProtocolError):
        Frame(0x11, bytes(251))
    assert len(encode(Frame(0x11, bytes(250)))) == 255


def test_the_reader_resyncs_after_garbage_false_syncs_and_bad_crcs() -> None:
    good = encode(Frame(0x13, b"\x61"))
    bad_crc = good[:-1] + bytes((good[-1] ^ 1,))
    reader = FrameReader()
    stream = b"\x00\xfc\x02garbage" + bad_crc + good + b"\xfc" + good
    frames = [f for i in range(len(stream)) for f in reader.feed(stream[i:i + 1])]
    assert frames == [Frame(0x13, b"\x61")] * 2
    assert reader.dropped > 0 and reader.pending() == 0


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.integers(min_value=1, max_value=64))
def test_the_reader_takes_any_bytes_and_gives_only_well_formed_frames(data: bytes,
                                                                       chunk: int) -> None:
    reader = FrameReader()
    for i in range(0, len(data), chunk):
        for frame in reader.feed(data[i:i + chunk]):
            assert decode(encode(frame)) == frame
    assert reader.pending() < 255


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_decode_raises_nothing_but_protocol_error(data: bytes) -> None:
    try:
        decode(data)
    except ProtocolError:
        pass


frames = st.builds(Frame, st.integers(0, 255), st.binary(max_size=8)).map(encode)
noise = st.one_of(frames, st.binary(max_size=12),
                  frames.map(lambda raw: raw[:-1]),  # truncated
                  frames.map(lambda raw: raw[:-1] + bytes((raw[-1] ^ 0x40,))))  # bad CRC


class ScriptedLine:
    """A serial line answering from a script; an empty read is the port's timeout."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.written = bytearray()

    def write(self, data: bytes, /) -> int:
        self.written += data
        return len(data)

    def read(self, size: int = 1, /) -> bytes:
        return self.chunks.pop(0) if self.chunks else b""

    def reset_input_buffer(self) -> None:
        pass

    def close(self) -> None:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(noise, max_size=12), st.sampled_from(["poll", "stack", "return_note",
                                                      "inhibit", "set_denominations"]))
def test_the_driver_meets_random_answers_with_typed_errors_only(chunks: list[bytes],
                                                                 call: str) -> None:
    driver = Id003Validator(ScriptedLine(chunks), retries=2, answer_within=0.5)
    args: dict[str, tuple[object, ...]] = {"inhibit": (True,), "set_denominations": ({1000},)}
    try:
        for _ in range(4):
            getattr(driver, call)(*args.get(call, ()))
    except Id003Error:
        pass


@settings(max_examples=300, deadline=None)
@given(st.lists(noise, max_size=12), st.lists(st.sampled_from(
    ["insert 1000", "insert 100", "jam", "full", "ok", "unplug", "open", "fail"]), max_size=4))
def test_the_emulated_unit_answers_any_bytes_with_frames(chunks: list[bytes],
                                                         words: list[str]) -> None:
    device = Id003Device()
    reader = FrameReader()
    for word in words:
        assert device.hand(word)
    for chunk in chunks:
        reader.feed(device.feed(chunk))
    assert reader.pending() == 0 and reader.dropped == 0


def test_every_frame_starts_with_sync() -> None:
    assert all(encode(Frame(code))[0] == SYNC for code in range(256))
