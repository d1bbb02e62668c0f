"""Blob stores on S3: moto's server mode on a loopback port stands in for the object store (it speaks
the S3 protocol over HTTP; runyard talks to it as to any S3-compatible endpoint). Every test gets its
own bucket; the database is SQLite and PostgreSQL as in the server suite."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from runyard.server.launcher import free_port
from tests.conftest import isolated_sdk
from tests.server.conftest import (  # noqa: F401  (fixtures)
    cli,
    client_env,
    db_url,
    empty_db_url,
    home,
    pg_database,
    pytest_configure,
)

pytest.importorskip("boto3")
pytest.importorskip("moto")

S3_ENV = {"AWS_ACCESS_KEY_ID": "runyard-test", "AWS_SECRET_ACCESS_KEY": "runyard-test-secret"}


@pytest.fixture(scope="session")
def s3_recording(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("moto") / "requests.jsonl"


@pytest.fixture(scope="session")
def s3_endpoint(s3_recording) -> Iterator[str]:
    """moto's S3 server in a subprocess on a free loopback port, ready when it answers a request."""
    import urllib.error
    import urllib.request

    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, MOTO_RECORDER_FILEPATH=str(s3_recording)),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url + "/moto-api/", timeout=2).read()
                break
            except (urllib.error.URLError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto's server did not start") from None
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(30)


@pytest.fixture
def s3_env(s3_endpoint, monkeypatch) -> dict[str, str]:
    for k, v in S3_ENV.items():
        monkeypatch.setenv(k, v)
    for k in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(k, raising=False)
    return dict(S3_ENV, RUNYARD_S3_ENDPOINT_URL=s3_endpoint, RUNYARD_S3_REGION="us-east-1")


@pytest.fixture
def bucket(s3_endpoint, s3_env) -> str:
    """A fresh bucket; its blobs live under the prefix `blobs`."""
    import boto3

    name = f"runyard-{secrets.token_hex(6)}"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_client(s3_endpoint, s3_env):
    import boto3

    return boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")


@pytest.fixture
def s3_requests(s3_endpoint, s3_recording):
    """What reached the store during the test: a function returning the requests (method, url,
    headers) recorded so far (moto's request recorder)."""
    import httpx

    httpx.post(f"{s3_endpoint}/moto-api/recorder/reset-recording", timeout=60)
    httpx.post(f"{s3_endpoint}/moto-api/recorder/start-recording", timeout=60)

    def seen() -> list[dict]:
        # moto's threads append one JSON object per request, then a newline, each in its own write:
        # two objects can share a line, so the text is read object by object
        text = s3_recording.read_text() if s3_recording.exists() else ""
        out, pos, dec = [], 0, json.JSONDecoder()
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                return out
            try:
                obj, pos = dec.raw_decode(text, pos)
            except ValueError:  # a request being recorded right now
                return out
            out.append(obj)

    yield seen
    httpx.post(f"{s3_endpoint}/moto-api/recorder/stop-recording", timeout=60)
    httpx.post(f"{s3_endpoint}/moto-api/recorder/reset-recording", timeout=60)


def signed_puts(requests: list[dict], sha: str) -> list[dict]:
    """PUTs of blob `sha` to a staging object with a presigned URL: the client's own, not the API's."""
    return [
        r
        for r in requests
        if r["method"] == "PUT"
        and f"/uploads/{sha}." in r["url"]
        and "X-Amz-Signature=" in r["url"]
        and not any(k.lower() == "authorization" for k in r["headers"])
    ]


def blob_keys(s3_client, bucket: str) -> list[str]:
    pages = s3_client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
    return [o["Key"] for p in pages for o in p.get("Contents", ())]


@pytest.fixture
def s3_config(home, db_url, bucket, s3_endpoint, s3_env):  # noqa: F811
    from runyard.server import ServerConfig

    return ServerConfig.resolve(
        home=home,
        db_url=db_url,
        port=0,
        blob_url=f"s3://{bucket}/blobs",
        s3_endpoint_url=s3_endpoint,
        s3_region="us-east-1",
    )


@pytest.fixture
def s3_server(s3_config):
    from runyard.server import ServerThread

    with ServerThread(s3_config) as srv:
        yield srv


@pytest.fixture
def sdk_env(s3_server, home, tmp_path, monkeypatch) -> Iterator[os.PathLike]:  # noqa: F811
    """cwd = tmp/work; the SDK finds the server through its credentials file; cache in tmp/cache."""
    yield from isolated_sdk(monkeypatch, home, tmp_path / "work", cache=tmp_path / "cache")
