"""Schema-driven fuzzing of the HTTP API: every operation of the server's own OpenAPI document, with
generated parameters and bodies (and methods it does not declare), must answer below 500.

The requests go to the in-process app on SQLite, authenticated as the admin, after a small real run
is ingested so that some generated paths name things that exist. Generation is derandomised, so a
failure reproduces on the next run.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from runyard.server import ServerConfig, create_app
from runyard.server.openapi import spec


@schemathesis.serializer("application/vnd.runyard.blobs")
def _blob_batch(ctx, value):  # the batch upload body is binary: send whatever was generated, as bytes
    return value if isinstance(value, bytes) else repr(value).encode()


# the live stream answers forever by design (its bounds are tested in test_tenancy.py)
schema = schemathesis.openapi.from_dict(spec()).exclude(path="/api/v1/stream")


@pytest.fixture(scope="module")
def admin_client(tmp_path_factory):
    from starlette.testclient import TestClient

    from tests.security.test_fuzz_ingest import run_log

    home = tmp_path_factory.mktemp("fuzz-api")
    config = ServerConfig.resolve(home=home, db_url=f"sqlite:///{home / 'runyard.db'}", port=0)
    app = create_app(config, announce=False)
    with TestClient(app, raise_server_exceptions=False) as c:
        c.headers["Authorization"] = f"Bearer {app.state.bootstrap_key}"
        r = c.post("/api/v1/ingest/admin/p/r1?segment=s&offset=0", content=run_log("r1", "s", []))
        assert r.status_code == 200, r.text
        yield c


def _send(client, case):
    kw = case.as_transport_kwargs(base_url="http://testserver")
    body = {}
    if "json" in kw:
        body["json"] = kw["json"]
    elif kw.get("data") is not None:
        body["content"] = kw["data"] if isinstance(kw["data"], (bytes, str)) else str(kw["data"])
    headers = {k: v for k, v in (kw.get("headers") or {}).items() if k.lower() != "authorization"}
    return client.request(kw["method"], kw["url"], params=kw.get("params"), headers=headers, **body)


@schema.parametrize()
@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_a_server_error(case, admin_client):
    r = _send(admin_client, case)
    assert r.status_code < 500, f"{case.method} {case.formatted_path} -> {r.status_code}: {r.text[:500]}"
