"""Finding 1376.1 frames in a TCP byte stream.

A candidate is ``68 L L 68`` with equal length words and the protocol bits of this
protocol; anything else is skipped one byte at a time, so noise or a broken frame never
hides the good frame behind it. A candidate whose checksum or end byte is wrong is skipped
the same way.
"""

from __future__ import annotations

from .errors import Q1376Error
from .frame import HEADER_LENGTH, START, Frame, decode_frame, frame_length

MAX_BUFFER = 65536


class FrameStream:
    """Incremental decoder: :meth:`feed` bytes, get complete frames back."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.rejected = 0
        self.discarded = 0

    @property
    def pending(self) -> int:
        """Bytes kept while waiting for the rest of a frame."""
        return len(self._buffer)

    def reset(self) -> None:
        """Drop a partial frame."""
        self.discarded += len(self._buffer)
        self._buffer.clear()

    def feed(self, data: bytes) -> list[Frame]:
        """Add ``data``; return every frame it completed, in order."""
        buf = self._buffer
        buf += data
        frames: list[Frame] = []
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
            try:
                total = frame_length(bytes(buf[:HEADER_LENGTH]))
            except Q1376Error:
                self._skip()
                continue
            if len(buf) < total:
                break
            try:
                frames.append(decode_frame(bytes(buf[:total])))
            except Q1376Error:
                self.rejected += 1
                self._skip()
                continue
            del buf[:total]
        if len(buf) > MAX_BUFFER:
            self.reset()
        return frames

    def _skip(self) -> None:
        self.discarded += 1
        del self._buffer[:1]
