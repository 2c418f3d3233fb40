"""Finding frames in a byte stream: noise, echo, FE preambles and partial reads.

A frame is recognised by its structure — 68H, six address bytes, 68H, C, L, L data bytes,
a correct checksum and 16H — never by the first 16H byte (a checksum or a data byte may
be 16H: python-dlt645 PR #3). A candidate that fails is skipped one byte at a time, so a
garbled frame never swallows the good frame behind it.
"""

from __future__ import annotations

from .errors import ChecksumError, EndByteError, FrameError
from .frame import END, HEADER_LENGTH, START, Frame, checksum, decode_frame

MAX_BUFFER = 4096


class StreamDecoder:
    """Incremental decoder: :meth:`feed` bytes as they arrive, get complete frames back.

    ``rejected`` counts candidates that had the 68..68 structure but failed (checksum, end
    byte, address); ``discarded`` counts bytes thrown away as noise. Both help tell a
    garbled line (wrong baud or parity) from a silent one.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.rejected = 0
        self.discarded = 0
        self.last_error: FrameError | None = None

    @property
    def pending(self) -> int:
        """Bytes kept while waiting for the rest of a frame."""
        return len(self._buffer)

    def reset(self) -> None:
        """Forget a partial frame (after an inter-byte gap longer than the standard allows)."""
        self.discarded += len(self._buffer)
        self._buffer.clear()

    def feed(self, data: bytes) -> list[Frame]:
        """Add ``data`` and return every frame completed by it, in order."""
        self._buffer += data
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

    def _skip(self, buf: bytearray) -> None:
        self.discarded += 1
        del buf[:1]
