"""Schemathesis hooks for Resguardo's contract run (loaded through SCHEMATHESIS_HOOKS)."""

import json
import sys

# Hypothesis names a filtered strategy by parsing its module's source with `ast`; deep inside
# schemathesis's coverage phase, CPython 3.11 then failed on a clean clone with "SystemError: AST
# constructor recursion depth mismatch" (a runtime error, not a finding). More room for the
# recursion guard avoids it.
sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

import schemathesis


@schemathesis.serializer("application/offset+octet-stream")
def offset_stream(ctx, value):
    """tus chunks are raw bytes; schemathesis only knows application/octet-stream."""
    if isinstance(value, bytes):
        return {"data": value}
    if isinstance(value, str):
        return {"data": value.encode()}
    return {"data": json.dumps(value).encode()}
