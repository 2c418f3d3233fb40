"""Q/GDW 1376.1 (master station ↔ collection terminal) codec: bytes in, bytes out, no I/O.

The concentrator path of the collection system: the station reaches a meter through a
terminal (AFN 10H F1 transparent forwarding of a DL/T 645 frame); terminals log in and send
heartbeats (AFN 02H), the other side confirms (AFN 00H).
"""

from .errors import (
    ChecksumError,
    EndByteError,
    FieldError,
    LengthFieldError,
    ProtocolIdError,
    Q1376Error,
    StartByteError,
    TruncatedError,
)
from .frame import (
    Address,
    Afn,
    Frame,
    LinkFunction,
    TimeLabel,
    decode_frame,
    encode_frame,
    make_seq,
    parse_unit_id,
    unit_id,
)
from .messages import (
    F_HEARTBEAT,
    F_LOGIN,
    F_LOGOUT,
    LINE_2400_8E1,
    NO_PASSWORD,
    Confirmation,
    ForwardReply,
    ForwardRequest,
    LinkCheck,
    confirm_all,
    confirm_link_check,
    forward_reply,
    forward_request,
    link_check,
    parse_confirmation,
    parse_link_check,
)
from .stream import FrameStream

__all__ = [
    "F_HEARTBEAT",
    "F_LOGIN",
    "F_LOGOUT",
    "LINE_2400_8E1",
    "NO_PASSWORD",
    "Address",
    "Afn",
    "ChecksumError",
    "Confirmation",
    "EndByteError",
    "FieldError",
    "ForwardReply",
    "ForwardRequest",
    "Frame",
    "FrameStream",
    "LengthFieldError",
    "LinkCheck",
    "LinkFunction",
    "ProtocolIdError",
    "Q1376Error",
    "StartByteError",
    "TimeLabel",
    "TruncatedError",
    "confirm_all",
    "confirm_link_check",
    "decode_frame",
    "encode_frame",
    "forward_reply",
    "forward_request",
    "link_check",
    "make_seq",
    "parse_confirmation",
    "parse_link_check",
    "parse_unit_id",
    "unit_id",
]
