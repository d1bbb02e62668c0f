"""Blobs in an S3-compatible object store (AWS S3, MinIO, Ceph RGW, R2, ...), on boto3.

Objects are `<prefix>/<2 hex>/<62 hex>`, as on the local disk. What the API server streams itself
(uploads through the API, `put_many`) is staged in a local temporary file while it is hashed, then
sent with boto3's managed transfer: multipart above MULTIPART_BYTES, parts read from the file as they
are sent, so memory stays at a few parts whatever the size. Reads are ranged GETs.

Large transfers need not pass through the API at all: `presign_get` signs a download URL for a blob
and `presign_put` an upload URL for a *staging* object (`<prefix>/uploads/<name>`). The upload URL
signs the content length and an `x-amz-checksum-sha256` header, so a store that checks checksums
refuses bytes that do not hash to the blob's name; `adopt` then moves the staged object into place
(a server-side copy) after checking its size, and, when told to (`verify_reads`, for stores that do
not check checksums), after hashing it. See docs/storage.md.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import os
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ..wire.home import private_dir
from .blobs import BlobWriter, sweep_dir

MULTIPART_BYTES = 16 * 1024 * 1024  # part size of multipart uploads and copies (and the threshold)
TRANSFER_THREADS = 4  # parts of one upload sent at once
MAX_SINGLE_PUT = 5 * 1024**3  # S3's limit for one PUT: larger blobs go through the API (multipart)
READ_BLOCK = 1024 * 1024
# Staged uploads and unfinished multipart uploads older than this are removed by `sweep_tmp`; other
# replicas may be using younger ones (a signed upload URL lives minutes, a 5 GiB part upload less).
REMOTE_GRACE_S = 24 * 3600.0


class S3Unavailable(RuntimeError):
    """boto3 is missing or the blob URL is malformed: a configuration error at start."""


@dataclass(frozen=True)
class S3Settings:
    bucket: str
    prefix: str = ""
    endpoint_url: str | None = None  # None: AWS
    # where clients reach the store, when not where the server does (a compose network's host name):
    # signed URLs name this host, and their signature covers it
    public_endpoint_url: str | None = None
    region: str | None = None
    addressing_style: str = "auto"  # "path" for stores addressed by IP or without bucket subdomains
    verify_reads: bool = False  # hash staged uploads before adopting them (stores that ignore checksums)

    @classmethod
    def from_url(cls, url: str, **kw: Any) -> S3Settings:
        """`s3://bucket[/prefix]`."""
        u = urllib.parse.urlsplit(url)
        if u.scheme != "s3" or not u.netloc:
            raise S3Unavailable(f"blob URL must look like s3://bucket/prefix, got {url!r}")
        return cls(bucket=u.netloc, prefix=u.path.strip("/"), **kw)


def check_sha(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return sha256


class S3BlobStore:
    presigns = True

    def __init__(self, settings: S3Settings, staging_dir: str | os.PathLike):
        try:
            import boto3
            from boto3.s3.transfer import TransferConfig
            from botocore.config import Config
        except ImportError:
            raise S3Unavailable("an s3:// blob store needs boto3: pip install 'runyard[server,s3]'") from None
        self.settings = settings
        self.bucket = settings.bucket
        self._prefix = settings.prefix + "/" if settings.prefix else ""
        self.client = boto3.client(
            "s3",
            endpoint_url=settings.endpoint_url,
            region_name=settings.region,
            config=Config(
                signature_version="s3v4",
                s3={"addressing_style": settings.addressing_style},
                max_pool_connections=32,
                retries={"mode": "standard", "max_attempts": 5},
                # checksums only where the operation needs one: boto3 would otherwise compute a
                # CRC of every upload in Python on top of our sha256
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )
        self.signer = self.client
        if settings.public_endpoint_url:  # signing needs no request: this client only signs
            self.signer = boto3.client(
                "s3",
                endpoint_url=settings.public_endpoint_url,
                region_name=settings.region,
                config=Config(signature_version="s3v4", s3={"addressing_style": settings.addressing_style}),
            )
        self.transfer = TransferConfig(
            multipart_threshold=MULTIPART_BYTES,
            multipart_chunksize=MULTIPART_BYTES,
            max_concurrency=TRANSFER_THREADS,
        )
        self.tmp = Path(staging_dir)
        private_dir(self.tmp)

    # -- names ------------------------------------------------------------------------------------------
    def key(self, sha256: str) -> str:
        check_sha(sha256)
        return f"{self._prefix}{sha256[:2]}/{sha256[2:]}"

    def staging_key(self, name: str) -> str:
        if not name or any(c not in "0123456789abcdefghijklmnopqrstuvwxyz-._" for c in name.lower()):
            raise ValueError(f"bad staging name {name!r}")
        return f"{self._prefix}uploads/{name}"

    def describe(self) -> str:
        where = self.settings.endpoint_url or "AWS"
        return f"s3://{self.bucket}/{self.settings.prefix} at {where}"

    # -- the BlobStore protocol ---------------------------------------------------------------------------
    def staging(self) -> BlobWriter:
        return BlobWriter(str(self.tmp))

    def put_file(self, tmp_path: str, sha256: str) -> None:
        try:
            if not self.exists(sha256):
                self.client.upload_file(tmp_path, self.bucket, self.key(sha256), Config=self.transfer)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_path)

    def open(self, sha256: str) -> BinaryIO:
        raw = _ObjectReader(self.client, self.bucket, self.key(sha256))
        raw.size()  # a missing blob raises FileNotFoundError here, as open() of a file does
        return io.BufferedReader(raw, READ_BLOCK)  # type: ignore[return-value]

    def iter_bytes(self, sha256: str, chunk: int = 1 << 20) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]
        try:
            yield from body.iter_chunks(chunk)
        finally:
            body.close()

    def exists(self, sha256: str) -> bool:
        return self._head(self.key(sha256)) is not None

    def present(self, shas: Sequence[str]) -> set[str]:
        """HEADs in parallel: an artifact of 10,000 files asks 10,000 questions of the store."""
        todo = list(dict.fromkeys(shas))
        if len(todo) <= 1:
            return {s for s in todo if self.exists(s)}
        with ThreadPoolExecutor(min(16, len(todo)), thread_name_prefix="runyard-s3") as ex:
            return {s for s, ok in zip(todo, ex.map(self.exists, todo)) if ok}

    def delete(self, sha256: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(sha256))

    def iter_blobs(self) -> Iterator[tuple[str, int, float]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self._prefix)
        for page in pages:
            for obj in page.get("Contents", ()):
                rest = obj["Key"][len(self._prefix) :]
                if len(rest) == 65 and rest[2] == "/":
                    sha = rest[:2] + rest[3:]
                    if all(c in "0123456789abcdef" for c in sha):
                        yield sha, int(obj["Size"]), obj["LastModified"].timestamp()

    def sweep_tmp(self, older_than: float) -> int:
        removed = sweep_dir(self.tmp, older_than)
        cutoff = older_than - REMOTE_GRACE_S
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._prefix + "uploads/"
        )
        for page in pages:
            for obj in page.get("Contents", ()):
                if obj["LastModified"].timestamp() < cutoff:
                    self.client.delete_object(Bucket=self.bucket, Key=obj["Key"])
                    removed += 1
        ups = self.client.get_paginator("list_multipart_uploads").paginate(
            Bucket=self.bucket, Prefix=self._prefix
        )
        for page in ups:
            for up in page.get("Uploads", ()):
                if up["Initiated"].timestamp() < cutoff:
                    self.client.abort_multipart_upload(
                        Bucket=self.bucket, Key=up["Key"], UploadId=up["UploadId"]
                    )
                    removed += 1
        return removed

    def put_many(self, blobs: Sequence[tuple[str, bytes | memoryview]]) -> int:
        todo = list({sha: data for sha, data in blobs}.items())

        def one(item: tuple[str, bytes | memoryview]) -> int:
            sha, data = item
            if self.exists(sha):
                return 0
            self.client.put_object(Bucket=self.bucket, Key=self.key(sha), Body=bytes(data))
            return 1

        if len(todo) <= 1:
            return sum(map(one, todo))
        with ThreadPoolExecutor(8, thread_name_prefix="runyard-s3") as ex:
            return sum(ex.map(one, todo))

    # -- direct transfers ----------------------------------------------------------------------------------
    def presign_get(self, sha256: str, expires: float) -> str:
        """A URL that GETs the blob (ranges too) without credentials until it expires. The answer is
        an attachment of a neutral type, so a browser never renders it."""
        return str(
            self.signer.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self.bucket,
                    "Key": self.key(sha256),
                    "ResponseContentType": "application/octet-stream",
                    "ResponseContentDisposition": f'attachment; filename="{sha256}"',
                },
                ExpiresIn=max(1, int(expires)),
            )
        )

    def presign_put(self, sha256: str, size: int, name: str, expires: float) -> tuple[str, dict[str, str]]:
        """A URL (and the headers to send with it) that PUTs exactly `size` bytes hashing to `sha256`
        into the staging object `name`."""
        checksum = base64.b64encode(bytes.fromhex(check_sha(sha256))).decode()
        url = self.signer.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": self.bucket,
                "Key": self.staging_key(name),
                "ContentLength": size,
                "ChecksumSHA256": checksum,
            },
            ExpiresIn=max(1, int(expires)),
        )
        return str(url), {"x-amz-checksum-sha256": checksum, "Content-Length": str(size)}

    def adopt(self, name: str, sha256: str, size: int) -> str | None:
        """Move the staged object `name` into place as blob `sha256`. Returns None, or why it is refused
        (absent, another size, other content); a refused or adopted object is deleted. When the store
        fails meanwhile the error is raised and the staged object stays for a retry (swept later)."""
        key = self.staging_key(name)
        head = self._head(key, checksums=True)
        if head is None:
            return "nothing was uploaded to that URL (or it expired)"
        refused = self._refusal(key, head, sha256, size)
        if refused is None and not self.exists(sha256):
            # one CopyObject inside the store (staged objects are at most MAX_SINGLE_PUT, its limit too)
            self.client.copy_object(
                Bucket=self.bucket, Key=self.key(sha256), CopySource={"Bucket": self.bucket, "Key": key}
            )
        self.client.delete_object(Bucket=self.bucket, Key=key)
        return refused

    def presign_put_staged(
        self, name: str, expires: float, hexmd5: str | None = None
    ) -> tuple[str, dict[str, str]]:
        """A URL (and the headers to send with it) that PUTs content into the staging object `name`.
        With `hexmd5`, `Content-MD5` is signed, and S3 refuses a body that does not match it
        (`BadDigest`). The size and sha256 are unknown until `adopt_hashing`."""
        params = {"Bucket": self.bucket, "Key": self.staging_key(name)}
        headers = {}
        if hexmd5 is not None:
            headers["Content-MD5"] = params["ContentMD5"] = base64.b64encode(bytes.fromhex(hexmd5)).decode()
        url = self.signer.generate_presigned_url("put_object", Params=params, ExpiresIn=max(1, int(expires)))
        return str(url), headers

    def adopt_hashing(
        self,
        name: str,
        max_bytes: int,
        hexmd5: str | None,
        accept: Callable[[str, int, str], None] | None = None,
    ) -> tuple[str, int, str] | str:
        """Adopt the staged object `name` whose sha256 the client did not announce: copy it (inside the
        store) to a key no URL grants, so what is hashed cannot change afterwards; hash that copy
        (sha256 and MD5, one streamed read by this process); unless its MD5 is not `hexmd5` (when
        given), copy it into place as its sha256 (unless the store has it) and call `accept(sha256,
        size, hex MD5)`, which records it. Returns (sha256, size, hex MD5), or why it is refused; the
        staged objects are deleted either way, unless the store fails or `accept` raises meanwhile
        (then the error is raised and a retry can adopt it: a copy the store kept that gc deleted
        before `accept` recorded it is copied in again)."""
        key = self.staging_key(name)
        head = self._head(key)
        if head is None:
            return "nothing was uploaded to that URL (or it expired)"
        size = int(head["ContentLength"])
        if size > max_bytes:
            self.client.delete_object(Bucket=self.bucket, Key=key)
            return f"the upload has {size} bytes, more than the limit of {max_bytes}"
        frozen = key + ".adopting"
        self.client.copy_object(
            Bucket=self.bucket, Key=frozen, CopySource={"Bucket": self.bucket, "Key": key}
        )
        sha, md5, got = hashlib.sha256(), hashlib.md5(), 0
        body = self.client.get_object(Bucket=self.bucket, Key=frozen)["Body"]
        for block in body.iter_chunks(READ_BLOCK):
            sha.update(block)
            md5.update(block)
            got += len(block)
        digest = sha.hexdigest()
        refused = None
        if hexmd5 is not None and md5.hexdigest() != hexmd5:
            refused = f"the content's MD5 is {md5.hexdigest()}, not {hexmd5}"
        if refused is None and not self.exists(digest):
            self.client.copy_object(
                Bucket=self.bucket, Key=self.key(digest), CopySource={"Bucket": self.bucket, "Key": frozen}
            )
        if refused is None and accept is not None:
            try:
                accept(digest, got, md5.hexdigest())
            except BaseException:
                self.client.delete_object(Bucket=self.bucket, Key=frozen)
                raise
        self.client.delete_objects(
            Bucket=self.bucket, Delete={"Objects": [{"Key": key}, {"Key": frozen}], "Quiet": True}
        )
        return refused or (digest, got, md5.hexdigest())

    def _refusal(self, key: str, head: dict, sha256: str, size: int) -> str | None:
        if int(head["ContentLength"]) != size:
            return f"the upload has {head['ContentLength']} bytes, not {size}"
        reported = head.get("ChecksumSHA256")
        if reported is not None and reported != base64.b64encode(bytes.fromhex(sha256)).decode():
            return "the upload's content does not hash to its sha256"
        if self.settings.verify_reads:
            h = hashlib.sha256()
            body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
            for block in body.iter_chunks(READ_BLOCK):
                h.update(block)
            if h.hexdigest() != sha256:
                return f"the upload's content hashes to {h.hexdigest()}, not {sha256}"
        return None

    def check(self) -> None:
        """Raise unless the bucket is reachable with these credentials (a start-up check)."""
        self.client.head_bucket(Bucket=self.bucket)

    def _head(self, key: str, checksums: bool = False) -> dict | None:
        from botocore.exceptions import ClientError

        try:
            kw = {"ChecksumMode": "ENABLED"} if checksums else {}
            return dict(self.client.head_object(Bucket=self.bucket, Key=key, **kw))
        except ClientError as e:
            if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise


class _ObjectReader(io.RawIOBase):
    """A seekable read-only view of one object: each read continues one ranged GET, a seek starts
    another. Wrapped in io.BufferedReader, `read(n)` returns n bytes unless the object ends."""

    def __init__(self, client: Any, bucket: str, key: str):
        self.client, self.bucket, self.key = client, bucket, key
        self.pos = 0
        self._size: int | None = None
        self._body: Any = None

    def size(self) -> int:
        if self._size is None:
            from botocore.exceptions import ClientError

            try:
                self._size = int(self.client.head_object(Bucket=self.bucket, Key=self.key)["ContentLength"])
            except ClientError as e:
                if e.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                    raise FileNotFoundError(self.key) from None
                raise
        return self._size

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = 0) -> int:
        new = {0: offset, 1: self.pos + offset, 2: self.size() + offset}[whence]
        if new != self.pos:
            self._drop()
            self.pos = max(0, new)
        return self.pos

    def readinto(self, b: Any) -> int:
        if self.pos >= self.size() or not len(b):
            return 0
        if self._body is None:
            self._body = self.client.get_object(Bucket=self.bucket, Key=self.key, Range=f"bytes={self.pos}-")[
                "Body"
            ]
        data = self._body.read(len(b))
        b[: len(data)] = data
        self.pos += len(data)
        return len(data)

    def _drop(self) -> None:
        if self._body is not None:
            self._body.close()
            self._body = None

    def close(self) -> None:
        self._drop()
        super().close()
