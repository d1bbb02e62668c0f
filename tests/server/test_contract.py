"""The API contract: request validation names the field, every body has a schema, and an answer
that breaks its declared model fails (the whole suite runs with that check on: tests/conftest.py)."""

from __future__ import annotations

import msgspec
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from runyard.server import contract, create_app
from runyard.server.contract import endpoint
from runyard.server.http import JSON
from runyard.server.routes import ROUTES
from runyard.wire import api_models as m


def test_invalid_bodies_and_queries_name_the_field(client):
    err = client.post("/api/v1/users", json={"name": 3}).json()["error"]
    assert (err["code"], err["field"]) == ("wrong_type", "name")
    resp = client.post("/api/v1/keys", json={"nmae": "ci"})
    assert resp.status_code == 422 and resp.json()["error"]["field"] == "nmae"
    resp = client.get("/api/v1/runs/admin/p/r/console", params={"limit": 0})
    assert resp.status_code == 422 and resp.json()["error"] == {
        "code": "out_of_range",
        "message": resp.json()["error"]["message"],
        "field": "limit",
    }
    resp = client.post("/api/v1/artifacts/admin/p/a", json={"type": "m", "manifest": [{"path": "x"}]})
    assert resp.status_code == 422 and resp.json()["error"]["field"] == "manifest[0].size"


def test_every_body_has_a_component_schema(client):
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            bodies = [op.get("requestBody", {}).get("content", {})] + [
                r.get("content", {}) for r in op["responses"].values()
            ]
            for content in bodies:
                for media, desc in content.items():
                    schema = desc["schema"]
                    assert schema, (method, path, media)
                    ref = schema.get("$ref") or next(iter(schema.get("anyOf", [{}])), {}).get("$ref")
                    if media == "application/json" and path != "/api/v1/openapi.json":
                        assert ref and ref.rsplit("/", 1)[1] in schemas, (method, path)
    assert {"Error", "RunDetail", "HistoryAnswer", "RunUpdated", "CommitRequest"} <= set(schemas)


@endpoint("a route that answers outside its model", answer=m.Health)
async def _broken(request: Request) -> Response:
    return JSON({"status": "ok", "version": 3, "extra": True})


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_answer_outside_its_model_fails(config):
    from starlette.testclient import TestClient

    ROUTES.append(Route("/api/v1/broken", _broken, methods=["GET"]))
    try:
        with TestClient(create_app(config, announce=False)) as c:
            seen = len(contract.violations)
            c.headers["Authorization"] = f"Bearer {c.app.state.bootstrap_key}"  # type: ignore[attr-defined]
            resp = c.get("/api/v1/broken")
            new = contract.violations[seen:]
            del contract.violations[seen:]  # expected here; the suite-wide check must not see them
    finally:
        ROUTES.pop()
    assert resp.status_code == 500 and resp.json()["error"]["code"] == "response_contract"
    assert len(new) == 1 and "version" in new[0]


def test_check_answer_reports_wrong_types_and_undeclared_fields():
    ok = msgspec.json.encode({"status": "ok", "version": "1"})
    assert contract.check_answer(m.Health, ok) is None
    assert "Expected `str`" in contract.check_answer(m.Health, b'{"status": "ok", "version": 1}')
    assert "$.extra" in contract.check_answer(m.Health, b'{"status": "ok", "version": "1", "extra": 1}')
    nested = (
        b'{"user": "a", "is_admin": false, "anonymous": false, "default_entity": "a", "teams": [],'
        b' "auth": "key", "scope": "write", "entities": [{"name": "a", "kind": "user", "x": 1}]}'
    )
    assert "$.entities[0].x" in contract.check_answer(m.Viewer, nested)


async def _undeclared(request: Request) -> Response:
    return JSON({})


def test_a_route_without_a_contract_has_no_place_in_the_document():
    from runyard.server import openapi

    ROUTES.append(Route("/api/v1/undeclared", _undeclared, methods=["GET"]))
    openapi.spec.cache_clear()
    try:
        with pytest.raises(TypeError, match="/api/v1/undeclared.*no @endpoint contract"):
            openapi.spec()
    finally:
        ROUTES.pop()
        openapi.spec.cache_clear()
    assert "/api/v1/undeclared" not in openapi.spec()["paths"]


def test_operations_without_credentials_are_the_authentication_layers_list(client):
    from runyard.server.auth import PUBLIC

    spec = client.get("/api/v1/openapi.json").json()
    public = {
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if op.get("security") == []
    }
    assert public == PUBLIC
    # a share link's one operation of its own says how it authenticates
    assert spec["paths"]["/api/v1/share"]["get"]["security"] == [{"share": []}]
