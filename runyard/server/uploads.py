"""One way to turn a request body into a stored blob, for every upload route (run files, artifact
blobs, the wandb layer's signed-URL uploads).

The body is streamed, never held whole: hashing and writing overlap with receiving (while worker
threads hash and write one batch of UPLOAD_BATCH bytes, the event loop gathers the next, so at most
two batches are in memory), the size is bounded before (Content-Length) and while reading, and the
temporary file is removed on any failure, a client that hangs up included.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..store.blobs import BlobStore
from .errors import ApiError

UPLOAD_BATCH = 4 * 1024 * 1024  # bytes gathered before one hop to the thread pool (hash + write)


def body_too_large(message: str) -> Exception:
    return ApiError(413, "body_too_large", message)


async def receive_blob(
    request: Request,
    blobs: BlobStore,
    limit: int,
    too_large: Callable[[str], Exception] = body_too_large,
    observe: Callable[[bytes], None] | None = None,
    verify: Callable[[str], None] | None = None,
) -> tuple[str, int]:
    """Store the request body as a blob; returns (sha256, size).

    `too_large(message)` is the exception raised past `limit` bytes. `observe(chunk)` sees every
    chunk in order (an extra digest, the head of the file). `verify(sha256)` runs once the body is
    hashed and before it is stored; whatever it raises refuses the upload."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise too_large(f"body of {declared} bytes exceeds the limit of {limit} bytes")
    staged = blobs.staging()
    batch: list[bytes] = []
    batched = received = 0
    writing: list[asyncio.Future] = []  # the previous batch: its write and its hash, in two threads
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise too_large(f"body exceeds the limit of {limit} bytes")
            if observe is not None:
                observe(chunk)
            batch.append(chunk)
            batched += len(chunk)
            if batched >= UPLOAD_BATCH:
                await asyncio.gather(*writing)
                data = _join(batch)
                writing = [
                    asyncio.ensure_future(run_in_threadpool(staged.write_unhashed, data)),
                    asyncio.ensure_future(run_in_threadpool(staged.hash_only, data)),
                ]
                batch, batched = [], 0
        await asyncio.gather(*writing)
        writing = []
        if batch:
            await run_in_threadpool(staged.write, _join(batch))
        sha256 = await run_in_threadpool(staged.finish)
        if verify is not None:
            verify(sha256)
        await run_in_threadpool(blobs.put_file, staged.path, sha256)
    except BaseException:
        if writing:  # never close the file under a running write
            await asyncio.wait(writing)
        staged.discard()
        raise
    return sha256, staged.size


def _join(parts: list[bytes]) -> bytes:
    return parts[0] if len(parts) == 1 else b"".join(parts)
