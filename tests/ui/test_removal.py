"""A member removed from a team loses access at once, in the browser too (real Chromium, a session):
the open workspace's live stream ends and does not come back, and the next page load is refused.
The same for API keys and signed URLs is in tests/security/test_tenancy.py."""

from __future__ import annotations

import httpx

from runyard.wire.framing import file_header, frame
from runyard.wire.records import RT, packb

from .conftest import shot, sign_in


def test_removed_member_loses_the_open_workspace(browser, server):
    admin = {"Authorization": f"Bearer {server.api_key}"}
    key = httpx.post(server.url + "/api/v1/users", json={"name": "rita"}, headers=admin, timeout=60).json()[
        "api_key"
    ]
    assert (
        httpx.post(server.url + "/api/v1/teams", json={"name": "ops"}, headers=admin, timeout=60).status_code
        == 201
    )
    httpx.post(
        server.url + "/api/v1/teams/ops/members",
        json={"user": "rita", "role": "viewer"},
        headers=admin,
        timeout=60,
    )
    run = file_header() + frame(RT.RUN, packb({"run_id": "r1", "segment": "s1", "start_time": 1000.0}))
    httpx.post(
        server.url + "/api/v1/ingest/ops/live/r1",
        params={"segment": "s1", "offset": 0},
        content=run,
        headers=admin,
        timeout=60,
    ).raise_for_status()

    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    sign_in(ctx, server, key)
    try:
        pg = ctx.new_page()
        pg.goto(server.url + "/ops/live")
        pg.locator(".rt-row").first.wait_for()
        pg.locator(".live-dot.on").wait_for()  # the live stream is connected
        r = httpx.delete(server.url + "/api/v1/teams/ops/members/rita", headers=admin, timeout=60)
        assert r.status_code == 200, r.text
        # the stream ends at once and its reconnections are refused: the page shows it offline
        pg.locator(".live-dot:not(.on)").wait_for()
        pg.reload()
        pg.get_by_role("heading", name="No access").wait_for()
        shot(pg, "removed-member")
    finally:
        ctx.close()
