"""Encode AWS event-stream messages (application/vnd.amazon.eventstream) the way the SageMaker runtime sends them:
the local runtime's response streams, and test stubs, go through botocore's real decoder. botocore ships only a
decoder; this is the encoder."""

from __future__ import annotations

import binascii
import json
import struct


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return struct.pack("!B", len(raw_name)) + raw_name + b"\x07" + struct.pack("!H", len(raw_value)) + raw_value


def encode_message(headers: dict[str, str], payload: bytes) -> bytes:
    header_bytes = b"".join(_header(k, v) for k, v in headers.items())
    total = 12 + len(header_bytes) + len(payload) + 4
    prelude = struct.pack("!II", total, len(header_bytes))
    prelude += struct.pack("!I", binascii.crc32(prelude) & 0xFFFFFFFF)
    message = prelude + header_bytes + payload
    return message + struct.pack("!I", binascii.crc32(message) & 0xFFFFFFFF)


def payload_part(data: bytes) -> bytes:
    return encode_message(
        {":event-type": "PayloadPart", ":content-type": "application/octet-stream", ":message-type": "event"}, data
    )


def stream_exception(code: str, message: str, error_code: str | None = None) -> bytes:
    body = {"Message": message}
    if error_code:
        body["ErrorCode"] = error_code
    return encode_message(
        {":exception-type": code, ":content-type": "application/json", ":message-type": "exception"},
        json.dumps(body).encode(),
    )
