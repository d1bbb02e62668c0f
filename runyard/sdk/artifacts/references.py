"""Reference entries: files recorded by URI (file://, http(s)://, s3://) with a checksum, not copied."""

from __future__ import annotations

import os
import shutil
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ...errors import Error, UsageError
from ...wire.hashing import sha256_file
from .transfer import BLOCK


def resolve_reference(
    uri: str, checksum: bool = True, max_objects: int | None = None
) -> Iterator[tuple[str, int, str | None, str]]:
    """(entry name, size, checksum, ref URI) of each object `uri` names (a folder gives several)."""
    u = urllib.parse.urlsplit(uri)
    limit = max_objects or 10_000_000
    if u.scheme == "file":
        local = urllib.request.url2pathname(u.path)
        if os.path.isdir(local):
            n = 0
            for dirpath, dirnames, files in os.walk(local):
                dirnames.sort()
                for fn in sorted(files):
                    full = os.path.join(dirpath, fn)
                    rel = os.path.relpath(full, local).replace(os.sep, "/")
                    yield (
                        rel,
                        os.path.getsize(full),
                        "sha256:" + sha256_file(full) if checksum else None,
                        Path(full).as_uri(),
                    )
                    n += 1
                    if n >= limit:
                        return
        elif os.path.isfile(local):
            yield (
                os.path.basename(local),
                os.path.getsize(local),
                "sha256:" + sha256_file(local) if checksum else None,
                uri,
            )
        else:
            raise UsageError(f"add_reference: {local} does not exist")
    elif u.scheme in ("http", "https"):
        req = urllib.request.Request(uri, method="HEAD")
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                size = int(resp.headers.get("Content-Length") or 0)
                etag = resp.headers.get("ETag")
        except OSError as e:
            raise UsageError(f"add_reference: cannot reach {uri}: {e}") from None
        yield os.path.basename(u.path) or u.netloc, size, f"etag:{etag.strip(chr(34))}" if etag else None, uri
    elif u.scheme == "s3":
        s3 = _s3()
        bucket, key = u.netloc, u.path.lstrip("/")
        try:
            head = s3.head_object(Bucket=bucket, Key=key)
            yield os.path.basename(key), int(head["ContentLength"]), "etag:" + head["ETag"].strip('"'), uri
            return
        except Exception:
            pass
        prefix = key.rstrip("/") + "/" if key else ""
        n = 0
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            for obj in page.get("Contents", []):
                yield (
                    obj["Key"][len(prefix) :],
                    int(obj["Size"]),
                    "etag:" + obj["ETag"].strip('"'),
                    (f"s3://{bucket}/{obj['Key']}"),
                )
                n += 1
                if n >= limit:
                    return
        if n == 0:
            raise UsageError(f"add_reference: nothing found at {uri}")
    else:
        raise UsageError(f"add_reference supports file://, http(s):// and s3:// URIs, not {uri!r}")


def _s3() -> Any:
    try:
        import boto3  # type: ignore[import-not-found]
    except ImportError:
        raise UsageError("s3:// references need boto3: pip install boto3") from None
    return boto3.client("s3")


def download_reference(entry: Any, dest: Path) -> None:
    """Fetch a reference entry to `dest`, checking its recorded checksum where it can."""
    uri, check = entry.ref, entry.extra.get("checksum")
    u = urllib.parse.urlsplit(uri)
    tmp = dest.with_name(dest.name + ".runyard-tmp")
    if u.scheme == "file":
        local = urllib.request.url2pathname(u.path)
        if not os.path.isfile(local):
            raise Error(f"reference {uri} of artifact entry {entry.path!r} no longer exists")
        shutil.copyfile(local, tmp)
        if check and check.startswith("sha256:") and sha256_file(str(tmp)) != check[7:]:
            tmp.unlink()
            raise Error(f"reference {uri} changed since it was added to the artifact (sha256 differs)")
    elif u.scheme in ("http", "https"):
        try:
            with urllib.request.urlopen(uri, timeout=60) as resp, open(tmp, "wb") as f:
                etag = (resp.headers.get("ETag") or "").strip('"')
                if check and check.startswith("etag:") and etag and etag != check[5:]:
                    raise Error(f"reference {uri} changed since it was added to the artifact (ETag differs)")
                while block := resp.read(BLOCK):
                    f.write(block)
        except OSError as e:
            raise Error(f"cannot download reference {uri}: {e}") from None
    elif u.scheme == "s3":
        _s3().download_file(u.netloc, u.path.lstrip("/"), str(tmp))
    else:
        raise Error(f"cannot download reference {uri}: unsupported scheme")
    os.replace(tmp, dest)
