"""Finding frames in a byte stream: noise, echo, FE preambles, partial reads and stalls.

A frame is recognised by its structure — 68H, six address bytes, 68H, C, L, L data bytes,
a correct checksum and 16H — never by the first 16H byte (a checksum or a data byte may
be 16H: python-dlt645 PR #3). A candidate that fails is skipped one byte at a time, so a
garbled frame never swallows the good frame behind it.

A frame-like noise prefix (68 … 68 with a large L) would otherwise make the decoder wait
for bytes that never come while the good frame right behind it sits in the buffer. Two
rules resynchronise: a complete valid frame later in the buffer wins over an incomplete
candidate before it (the candidate is discarded at once), and after a stall longer than the
inter-byte timeout Tb (DL/T 645: 500 ms) the incomplete candidate's start byte is dropped
and the rest of the buffer scanned again (:meth:`StreamDecoder.expire`), never thrown away
wholesale.
"""

from __future__ import annotations

import time

from .errors import ChecksumError, EndByteError, FrameError
from .frame import END, HEADER_LENGTH, START, Frame, checksum, decode_frame

MAX_BUFFER = 4096
INTER_BYTE_TIMEOUT = 0.5
"""DL/T 645 Tb: a sender may pause up to 500 ms between two bytes of one frame."""


def _complete_at(buf: bytearray, start: int) -> int:
    """The length of a structurally valid frame at ``start`` (0 if there is none)."""
    if len(buf) - start < HEADER_LENGTH + 2 or buf[start + 7] != START:
        return 0
    total = HEADER_LENGTH + buf[start + 9] + 2
    end = start + total
    if end > len(buf) or buf[end - 1] != END:
        return 0
    if buf[end - 2] != sum(buf[start : end - 2]) & 0xFF:
        return 0
    return total


class StreamDecoder:
    """Incremental decoder: :meth:`feed` bytes as they arrive, get complete frames back.

    ``rejected`` counts candidates that had the 68..68 structure but failed (checksum, end
    byte, address); ``discarded`` counts bytes thrown away as noise. Both help tell a
    garbled line (wrong baud or parity) from a silent one. ``resyncs`` counts incomplete
    candidates abandoned for a good frame behind them or after a stall.
    """

    def __init__(self, *, inter_byte_timeout: float = INTER_BYTE_TIMEOUT) -> None:
        self._buffer = bytearray()
        self.inter_byte_timeout = inter_byte_timeout
        self.rejected = 0
        self.discarded = 0
        self.resyncs = 0
        self.last_error: FrameError | None = None
        self._last_byte_at = 0.0

    @property
    def pending(self) -> int:
        """Bytes kept while waiting for the rest of a frame."""
        return len(self._buffer)

    def reset(self) -> None:
        """Forget everything buffered (the link was reopened)."""
        self.discarded += len(self._buffer)
        self._buffer.clear()

    def feed(self, data: bytes, now: float | None = None) -> list[Frame]:
        """Add ``data`` (received at ``now``, monotonic) and return every frame it completed."""
        if data:
            self._last_byte_at = time.monotonic() if now is None else now
            self._buffer += data
        return self._scan()

    def expire(self, now: float | None = None) -> list[Frame]:
        """After a stall longer than Tb, drop the stalled candidate's start and rescan.

        Call it when a read returned nothing; returns frames found behind the false start.
        """
        now = time.monotonic() if now is None else now
        buf = self._buffer
        frames: list[Frame] = []
        while buf and now - self._last_byte_at > self.inter_byte_timeout:
            self.resyncs += 1
            self._skip(buf)
            frames += self._scan()
            if frames:
                break
        return frames

    def _scan(self) -> list[Frame]:
        frames: list[Frame] = []
        buf = self._buffer
        while True:
            start = buf.find(START)
            if start < 0:
                self.discarded += len(buf)
                buf.clear()
                break
            if start:
                self.discarded += start
                del buf[:start]
            if len(buf) < HEADER_LENGTH:
                break
            if buf[7] != START:
                self._skip(buf)
                continue
            total = HEADER_LENGTH + buf[9] + 2
            if len(buf) < total:
                if self._resync_to_later_frame(buf):
                    continue
                break
            candidate = bytes(buf[:total])
            if candidate[-1] != END or candidate[-2] != checksum(candidate[:-2]):
                self.last_error = (
                    EndByteError(f"frame ends with {candidate[-1]:02X}, not 16")
                    if candidate[-1] != END
                    else ChecksumError(f"checksum {candidate[-2]:02X} does not match")
                )
                self.rejected += 1
                self._skip(buf)
                continue
            try:
                frame = decode_frame(candidate)
            except FrameError as exc:
                self.last_error = exc
                self.rejected += 1
                self._skip(buf)
                continue
            del buf[:total]
            frames.append(frame)
        if len(buf) > MAX_BUFFER:
            self.discarded += len(buf) - MAX_BUFFER
            del buf[: len(buf) - MAX_BUFFER]
        return frames

    def _resync_to_later_frame(self, buf: bytearray) -> bool:
        """Drop an incomplete candidate when a complete valid frame follows inside it."""
        at = buf.find(START, 1)
        while at > 0:
            if _complete_at(buf, at):
                self.resyncs += 1
                self.discarded += at
                del buf[:at]
                return True
            at = buf.find(START, at + 1)
        return False

    def _skip(self, buf: bytearray) -> None:
        self.discarded += 1
        del buf[:1]
