"""runyard.webui.ui_app: serves the built SPA with index.html fallback and long-cache hashed assets."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("starlette")
from starlette.applications import Starlette  # noqa: E402
from starlette.responses import JSONResponse  # noqa: E402
from starlette.routing import Mount, Route  # noqa: E402
from starlette.testclient import TestClient  # noqa: E402

from runyard.webui import DIST, ui_app  # noqa: E402

INDEX = '<!doctype html><div id="root"></div><script type="module" src="/assets/index-abc123.js"></script>'


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "assets" / "index-abc123.css").write_text("body{}")
    (tmp_path / "robots.txt").write_text("User-agent: *")
    (tmp_path.parent / "secret.txt").write_text("nope")
    return tmp_path


@pytest.fixture
def client(dist: Path) -> TestClient:
    return TestClient(ui_app(dist))


def test_index_at_root(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert r.text == INDEX
    assert r.headers["content-type"].startswith("text/html")
    assert r.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize(
    "path", ["/me/proj", "/me/proj/runs/abc123", "/me/proj/runs/abc/logs", "/me/proj/compare?runs=a,b"]
)
def test_client_routes_fall_back_to_index(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.text == INDEX
    assert r.headers["cache-control"] == "no-cache"


def test_hashed_assets_are_cached_for_a_year(client: TestClient) -> None:
    r = client.get("/assets/index-abc123.js")
    assert r.status_code == 200
    assert r.text == "console.log(1)"
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "javascript" in r.headers["content-type"]
    assert client.get("/assets/index-abc123.css").headers["content-type"].startswith("text/css")


def test_other_files_revalidate(client: TestClient) -> None:
    r = client.get("/robots.txt")
    assert r.status_code == 200 and r.text == "User-agent: *"
    assert r.headers["cache-control"] == "no-cache"


def test_missing_asset_is_404_not_the_page(client: TestClient) -> None:
    r = client.get("/assets/index-old999.js")
    assert r.status_code == 404
    assert "<html" not in r.text.lower()


def test_api_paths_never_get_the_page(client: TestClient) -> None:
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"


def test_no_path_traversal(client: TestClient) -> None:
    for p in ("/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt"):
        r = client.get(p)
        assert "nope" not in r.text


def test_head_and_methods(client: TestClient) -> None:
    assert client.head("/me/proj").status_code == 200
    assert client.post("/").status_code == 405


def test_not_built_says_how(tmp_path: Path) -> None:
    r = TestClient(ui_app(tmp_path / "missing")).get("/me/proj")
    assert r.status_code == 503
    assert "scripts/build-web.sh" in r.text


def test_mounted_after_api_routes(dist: Path) -> None:
    async def health(_request):  # type: ignore[no-untyped-def]
        return JSONResponse({"status": "ok"})

    app = Starlette(routes=[Route("/api/v1/health", health), Mount("/", app=ui_app(dist))])
    c = TestClient(app)
    assert c.get("/api/v1/health").json() == {"status": "ok"}
    assert c.get("/me/proj").text == INDEX
    assert c.get("/assets/index-abc123.js").headers["cache-control"].startswith("public")


def test_default_dist_is_the_package_build() -> None:
    assert Path(__file__).resolve().parents[2] / "runyard" / "webui" / "dist" == DIST
    if (DIST / "index.html").is_file():  # built by scripts/build-web.sh
        r = TestClient(ui_app()).get("/")
        assert r.status_code == 200 and '<div id="root">' in r.text
