"""The blob rules of docs/security.md on an S3 store, over HTTP against a real server: a direct upload
counts only from the caller's own staging object and only with the right bytes; a signed download is
only handed out after the access check; what streams through the API (multipart) reads back in
ranges; gc frees blobs in the bucket."""

from __future__ import annotations

import dataclasses
import hashlib
import os

import httpx
import pytest

from runyard.server import ServerThread

from .conftest import blob_keys


def _user(srv, name: str) -> dict[str, str]:
    admin = {"Authorization": f"Bearer {srv.api_key}"}
    r = httpx.post(f"{srv.url}/api/v1/users", json={"name": name}, headers=admin, timeout=60)
    assert r.status_code == 201, r.text
    return {"Authorization": f"Bearer {r.json()['api_key']}"}


def _grant(srv, h: dict, data: bytes, size: int | None = None) -> dict:
    sha = hashlib.sha256(data).hexdigest()
    r = httpx.post(
        f"{srv.url}/api/v1/blobs/{sha}/direct",
        json={"size": len(data) if size is None else size},
        headers=h,
        timeout=60,
    )
    assert r.status_code == 200, r.text
    g = r.json()
    assert g["direct"] is True and srv.api_key not in g["url"]
    return dict(g, sha256=sha)


def _put(g: dict, body: bytes) -> httpx.Response:
    return httpx.put(
        g["url"],
        content=body,
        headers={**g["headers"], "Content-Type": "application/octet-stream"},
        timeout=60,
    )


def _finish(srv, h: dict, g: dict, size: int) -> httpx.Response:
    return httpx.post(
        f"{srv.url}/api/v1/blobs/{g['sha256']}/direct/finish",
        json={"upload_id": g["upload_id"], "size": size},
        headers=h,
        timeout=60,
    )


def _missing(srv, h: dict, sha: str) -> list[str]:
    return httpx.post(
        f"{srv.url}/api/v1/blobs/missing", json={"sha256": [sha]}, headers=h, timeout=60
    ).json()["missing"]


def _commit(srv, h: dict, entity: str, name: str, sha: str, size: int) -> httpx.Response:
    doc = {"type": "data", "manifest": [{"path": "f.bin", "sha256": sha, "size": size}]}
    return httpx.post(f"{srv.url}/api/v1/artifacts/{entity}/p/{name}", json=doc, headers=h, timeout=60)


def test_direct_uploads_count_only_for_their_uploader_and_downloads_only_after_the_access_check(s3_server):
    srv = s3_server
    alice, bob = _user(srv, "alice"), _user(srv, "bob")
    data = os.urandom(300_000)
    g = _grant(srv, alice, data)
    assert _put(g, data).status_code == 200
    stolen = _finish(srv, bob, g, len(data))  # bob got hold of alice's upload id
    assert stolen.status_code == 400 and stolen.json()["error"]["code"] == "upload_refused"
    assert _finish(srv, alice, g, len(data)).status_code == 200
    assert _commit(srv, alice, "alice", "a", g["sha256"], len(data)).json()["state"] == "committed"

    # the bytes are in the bucket, but bob has not shown he has them: they stay missing for him, and
    # a grant of his own that he never uses does not make them his
    assert _missing(srv, bob, g["sha256"]) == [g["sha256"]]
    unused = _grant(srv, bob, data)
    r = _finish(srv, bob, unused, len(data))
    assert r.status_code == 400 and "nothing was uploaded" in r.json()["error"]["message"]
    assert _commit(srv, bob, "bob", "b", g["sha256"], len(data)).json()["state"] == "pending"

    # a download is signed only for who may read the version
    blob = f"{srv.url}/api/v1/artifacts/alice/p/a/v0/blobs/{g['sha256']}"
    denied = httpx.get(blob, params={"direct": 1}, headers=bob, timeout=60)
    assert denied.status_code in (403, 404) and "location" not in denied.headers
    ok = httpx.get(blob, params={"direct": 1}, headers=alice, timeout=60)
    assert ok.status_code == 307 and httpx.get(ok.headers["location"], timeout=60).content == data

    # another size than signed is refused by the server, whatever the store does
    g2 = _grant(srv, bob, data)
    assert _put(g2, data).status_code == 200
    r = _finish(srv, bob, g2, len(data) + 1)
    assert r.status_code == 400 and "bytes" in r.json()["error"]["message"]


def test_with_verify_uploads_the_server_refuses_bytes_that_do_not_hash_to_the_name(
    s3_config, bucket, s3_client
):
    # moto, like some S3-compatible stores, does not check the signed x-amz-checksum-sha256 header
    cfg = dataclasses.replace(s3_config, s3_verify_uploads=True)
    with ServerThread(cfg) as srv:
        h = {"Authorization": f"Bearer {srv.api_key}"}
        data = os.urandom(200_000)
        g = _grant(srv, h, data)
        forged = bytes(len(data))
        if _put(g, forged).status_code == 200:  # a store that checks refuses it here already
            r = _finish(srv, h, g, len(data))
            assert r.status_code == 400 and r.json()["error"]["code"] == "upload_refused"
        key = f"blobs/{g['sha256'][:2]}/{g['sha256'][2:]}"
        assert key not in blob_keys(s3_client, bucket)
        assert not [k for k in blob_keys(s3_client, bucket) if k.startswith("blobs/uploads/")]
        assert _missing(srv, h, g["sha256"]) == [g["sha256"]]
        good = _grant(srv, h, data)
        assert _put(good, data).status_code == 200 and _finish(srv, h, good, len(data)).status_code == 200
        assert _missing(srv, h, g["sha256"]) == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_uploads_through_the_api_go_multipart_and_read_back_in_ranges_and_gc_frees_them(
    s3_server, bucket, s3_client
):
    srv = s3_server
    h = {"Authorization": f"Bearer {srv.api_key}"}
    data = os.urandom(40 * 1024 * 1024 + 7)  # above the 16 MiB part size: a multipart upload
    sha = hashlib.sha256(data).hexdigest()
    r = httpx.put(f"{srv.url}/api/v1/blobs/{sha}", content=data, headers=h, timeout=120)
    assert r.status_code == 200, r.text
    head = s3_client.head_object(Bucket=bucket, Key=f"blobs/{sha[:2]}/{sha[2:]}")
    assert head["ContentLength"] == len(data) and head["ETag"].strip('"').endswith("-3")  # three parts
    assert _commit(srv, h, "admin", "big", sha, len(data)).json()["state"] == "committed"
    url = f"{srv.url}/api/v1/artifacts/admin/p/big/v0/blobs/{sha}"
    part = httpx.get(url, headers={**h, "Range": "bytes=20000000-20000099"}, timeout=60)
    assert part.status_code == 206 and part.content == data[20_000_000:20_000_100]
    tail = httpx.get(url, headers={**h, "Range": f"bytes={len(data) - 10}-"}, timeout=60)
    assert tail.content == data[-10:]

    stray = os.urandom(1000)  # uploaded, never committed
    stray_sha = hashlib.sha256(stray).hexdigest()
    assert (
        httpx.put(f"{srv.url}/api/v1/blobs/{stray_sha}", content=stray, headers=h, timeout=60).status_code
        == 200
    )
    out = httpx.post(
        f"{srv.url}/api/v1/admin/gc",
        json={"delete": True, "grace_seconds": 0},
        headers=h,
        timeout=60,
    ).json()
    assert out["deleted"] == 1 and out["sha256"] == [stray_sha]
    keys = blob_keys(s3_client, bucket)
    assert f"blobs/{stray_sha[:2]}/{stray_sha[2:]}" not in keys and f"blobs/{sha[:2]}/{sha[2:]}" in keys


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_signed_urls_name_the_public_endpoint_when_clients_reach_the_store_elsewhere(s3_config, s3_endpoint):
    public = s3_endpoint.replace("127.0.0.1", "localhost")  # the same store under another name
    with ServerThread(dataclasses.replace(s3_config, s3_public_endpoint_url=public)) as srv:
        h = {"Authorization": f"Bearer {srv.api_key}"}
        data = os.urandom(100_000)
        g = _grant(srv, h, data)
        assert g["url"].startswith(public + "/")
        assert _put(g, data).status_code == 200 and _finish(srv, h, g, len(data)).status_code == 200
        assert _commit(srv, h, "admin", "pub", g["sha256"], len(data)).json()["state"] == "committed"
        r = httpx.get(
            f"{srv.url}/api/v1/artifacts/admin/p/pub/v0/blobs/{g['sha256']}?direct=1", headers=h, timeout=60
        )
        assert r.status_code == 307 and r.headers["location"].startswith(public + "/")
        assert httpx.get(r.headers["location"], timeout=60).content == data
