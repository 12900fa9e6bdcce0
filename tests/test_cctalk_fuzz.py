"""A protocol fuzzer: random, malformed and truncated bytes into the decoder, the drivers and
the emulated devices. Only typed errors come out, and every call ends within its deadline."""

from __future__ import annotations

import time
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.payment.cctalk import CctalkBus, CoinAcceptor, Hopper
from drivers.payment.cctalk_frame import (
    HOST,
    CctalkError,
    Frame,
    FrameReader,
    ProtocolError,
    decode,
)
from kiosk.lab.cash.cctalk_device import CoinAcceptorDevice, HopperDevice

FUZZ = settings(max_examples=150, deadline=None)


def frames(source: int) -> st.SearchStrategy[bytes]:
    """Answers that look right: to the host, from the device, any header, any data."""
    return st.builds(lambda header, data: Frame(HOST, source, header, data).encode(),
                     st.sampled_from([0, 0, 0, 5, 6, 1, 254]), st.binary(max_size=16))


def replies(source: int) -> st.SearchStrategy[bytes]:
    whole = frames(source)
    return st.one_of(
        st.binary(max_size=64),  # noise
        whole,  # well formed, any length of data
        whole.flatmap(lambda f: st.integers(0, len(f) - 1).map(lambda n: f[:n])),  # truncated
        st.tuples(st.binary(max_size=8), whole).map(lambda t: t[0] + t[1]),  # garbage first
        whole.flatmap(lambda f: st.integers(0, len(f) - 1).map(  # one byte flipped
            lambda i: f[:i] + bytes([f[i] ^ 0x5A]) + f[i + 1:])),
    )


class FuzzLine:
    """A serial line that echoes what is written, then answers with the fuzzer's bytes."""

    def __init__(self, answers: list[bytes]) -> None:
        self.answers = answers
        self.pending = b""

    def write(self, data: bytes, /) -> int:
        self.pending += data + (self.answers.pop(0) if self.answers else b"")
        return len(data)

    def read(self, size: int = 1, /) -> bytes:
        chunk, self.pending = self.pending[:size], self.pending[size:]
        return chunk

    def reset_input_buffer(self) -> None:
        self.pending = b""

    def close(self) -> None:
        self.answers.clear()


@FUZZ
@given(st.lists(st.binary(max_size=40), max_size=10))
def test_the_reader_never_raises_and_only_returns_checked_frames(chunks: list[bytes]) -> None:
    reader = FrameReader(limit=256)
    for chunk in chunks:
        for frame in reader.feed(chunk):
            assert sum(frame.encode()) % 256 == 0
    assert reader.pending() <= 256


@FUZZ
@given(st.binary(max_size=300))
def test_strict_decoding_raises_only_protocol_error(raw: bytes) -> None:
    try:
        frame = decode(raw)
    except ProtocolError:
        return
    assert frame.encode() == raw


@FUZZ
@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255), st.binary(max_size=252))
def test_every_frame_round_trips(dest: int, source: int, header: int, data: bytes) -> None:
    frame = Frame(dest, source, header, data)
    assert decode(frame.encode()) == frame
    assert FrameReader().feed(b"\x07" + frame.encode()) == [frame]


def bounded(call: Callable[[], object]) -> None:
    started = time.monotonic()
    try:
        call()
    except CctalkError:
        pass
    assert time.monotonic() - started < 1.0


@FUZZ
@given(st.lists(replies(2), min_size=1, max_size=6))
def test_the_coin_acceptor_driver_raises_only_typed_errors(answers: list[bytes]) -> None:
    acceptor = CoinAcceptor(CctalkBus(FuzzLine(answers), timeout=0.01))
    for call in (acceptor.poll, acceptor.poll, acceptor.category, lambda: acceptor.coin_id(1),
                 lambda: acceptor.set_inhibits({100}), acceptor.ping):
        bounded(call)


@FUZZ
@given(st.lists(replies(3), min_size=1, max_size=6))
def test_the_hopper_driver_raises_only_typed_errors(answers: list[bytes]) -> None:
    hopper = Hopper(CctalkBus(FuzzLine(answers), timeout=0.01))
    hopper.requested = 4  # as if a payout were under way, so that poll reads the status
    for call in (hopper.poll, hopper.poll, hopper.test, lambda: hopper.enable(True),
                 hopper.status):
        bounded(call)


@FUZZ
@given(st.lists(st.one_of(st.binary(max_size=30),
                          st.builds(lambda d, h, data: Frame(d, HOST, h, data).encode(),
                                    st.sampled_from([2, 3]), st.integers(0, 255),
                                    st.binary(max_size=10))), max_size=12))
def test_the_emulated_devices_survive_any_line_noise(chunks: list[bytes]) -> None:
    for device in (CoinAcceptorDevice(), HopperDevice()):
        device.hand("fill 5")
        for chunk in chunks:
            out = device.feed(chunk)
            assert out.startswith(chunk)  # the echo, then at most answers that check
            for frame in FrameReader().feed(out[len(chunk):]):
                assert frame.destination == HOST
