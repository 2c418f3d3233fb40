"""DL/T 645-2007 codec: frames, stream decoding, data identifiers, ERR/SERR, 03H payloads.

Bytes in, bytes out, no I/O: the client, the simulator and ``meter-link decode`` all use
this package, so a frame is encoded and checked the same way on both ends of the link.
"""

from .codes import (
    BROADCAST_ADDRESS,
    WILDCARD_ADDRESS,
    ErrFlag,
    Function,
    SerrFlag,
    describe_err,
    describe_serr,
    parse_serr,
)
from .data_ids import BY_DI, TABLE, DataId, DIValue, Kind, lookup
from .errors import (
    AddressError,
    ChecksumError,
    ControlCodeError,
    EndByteError,
    FrameError,
    LengthError,
    NotBcdError,
    PayloadError,
    StartByteError,
    TruncatedFrameError,
)
from .frame import (
    Frame,
    address_from_wire,
    address_matches,
    address_to_wire,
    decode_frame,
    di_bytes,
    encode_frame,
    request,
)
from .stream import StreamDecoder

__all__ = [
    "BROADCAST_ADDRESS",
    "BY_DI",
    "TABLE",
    "WILDCARD_ADDRESS",
    "AddressError",
    "ChecksumError",
    "ControlCodeError",
    "DIValue",
    "DataId",
    "EndByteError",
    "ErrFlag",
    "Frame",
    "FrameError",
    "Function",
    "Kind",
    "LengthError",
    "NotBcdError",
    "PayloadError",
    "SerrFlag",
    "StartByteError",
    "StreamDecoder",
    "TruncatedFrameError",
    "address_from_wire",
    "address_matches",
    "address_to_wire",
    "decode_frame",
    "describe_err",
    "describe_serr",
    "di_bytes",
    "encode_frame",
    "lookup",
    "parse_serr",
    "request",
]
