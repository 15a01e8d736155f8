"""Reading a JSON request body once: media type, size limit and gzip.

Litestar enforces the limit on the bytes received (``request_max_body_size``); a gzip
body is then inflated here with the same limit on the inflated size, so a small
compressed body cannot expand into a large one.
"""

from __future__ import annotations

import zlib
from typing import Any, Final

from litestar import Request

from .errors import PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, ApiError, validation_failed

_GZIP_WBITS: Final = 16 + zlib.MAX_WBITS


def _too_large(limit: int) -> ApiError:
    return ApiError(
        413, PAYLOAD_TOO_LARGE, f"The request body is larger than the limit of {limit} bytes."
    )


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


async def read_json_body(request: Request[Any, Any, Any], max_bytes: int) -> bytes:
    """The request body as JSON bytes, checked and decompressed.

    415 for a media type other than JSON (a missing ``Content-Type`` is taken as JSON:
    old clients send bare bodies) or an encoding other than gzip; 413 when the body, or
    its inflated form, exceeds ``max_bytes``; 400 for a corrupt gzip stream.
    """
    headers = request.headers
    content_type = headers.get("content-type")
    if content_type is not None and not _is_json(content_type):
        raise ApiError(
            415,
            UNSUPPORTED_MEDIA_TYPE,
            f"Content-Type {content_type.split(';', 1)[0]!r} is not supported; "
            "send application/json.",
        )
    encoding = (headers.get("content-encoding") or "identity").strip().lower()
    if encoding not in ("identity", "gzip", "x-gzip"):
        raise ApiError(
            415,
            UNSUPPORTED_MEDIA_TYPE,
            f"Content-Encoding {encoding!r} is not supported; send identity or gzip.",
        )
    body = await request.body()
    if len(body) > max_bytes:
        raise _too_large(max_bytes)
    if encoding == "identity":
        return body
    return inflate(body, max_bytes)


def inflate(body: bytes, max_bytes: int) -> bytes:
    """Gunzip ``body``; 413 if the result would exceed ``max_bytes``, 400 if corrupt."""
    inflater = zlib.decompressobj(_GZIP_WBITS)
    try:
        data = inflater.decompress(body, max_bytes + 1)
        if len(data) > max_bytes or inflater.unconsumed_tail:
            raise _too_large(max_bytes)
        data += inflater.flush()
    except zlib.error as exc:
        raise validation_failed(f"The gzip body cannot be decompressed: {exc}.") from None
    if len(data) > max_bytes:
        raise _too_large(max_bytes)
    if not inflater.eof:
        raise validation_failed("The gzip body is truncated.")
    return data
