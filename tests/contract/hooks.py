"""Schemathesis hooks for Resguardo's contract run (loaded through SCHEMATHESIS_HOOKS)."""

import json

import schemathesis


@schemathesis.serializer("application/offset+octet-stream")
def offset_stream(ctx, value):
    """tus chunks are raw bytes; schemathesis only knows application/octet-stream."""
    if isinstance(value, bytes):
        return {"data": value}
    if isinstance(value, str):
        return {"data": value.encode()}
    return {"data": json.dumps(value).encode()}
