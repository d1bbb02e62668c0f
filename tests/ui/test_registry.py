"""The model registry page in real Chromium: a script (real SDK, online) trains on a dataset, logs its
code and links two model versions (`link_model`, `link_artifact` with `production`); the user finds the
registry from the projects page, moves `production` back to v0 in the page, sees who moved it in the
history, and follows the lineage to the training run (its config) and the dataset. Also in 简体中文.
Screenshots at 1280x800 in test-output/ui/registry-*.png."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from .conftest import REPO, shot, sign_in, watch_errors
from .test_i18n import check_translated
from .test_i18n_pages import ALLOWED, ENGLISH_ON_SCREEN

WRITER = textwrap.dedent("""
    import json, pathlib, runyard as wandb
    S = {"silent": True, "x_disable_stats": True}
    wandb.Api().create_registry("model", description="Classifiers we serve", artifact_types=["model"])
    d = pathlib.Path("files")
    (d / "data").mkdir(parents=True, exist_ok=True)
    (d / "data" / "train.csv").write_text("x,y\\n1,2\\n")
    run = wandb.init(project="reg", name="prep", settings=S)
    ds = wandb.Artifact("mnist", type="dataset")
    ds.add_dir(str(d / "data"))
    run.log_artifact(ds).wait()
    wandb.finish()

    run = wandb.init(project="reg", name="train", config={"lr": 0.003, "layers": 4}, settings=S)
    run.use_artifact("mnist:latest")
    pathlib.Path("train.py").write_text("print('train')\\n")
    run.log_code(".")
    (d / "model").mkdir(exist_ok=True)
    (d / "model" / "w.bin").write_bytes(b"v0")
    run.link_model(str(d / "model"), "classifier", name="clf", aliases=["staging"])
    (d / "model" / "w.bin").write_bytes(b"v1")
    art = run.log_artifact(str(d / "model"), name="clf", type="model").wait()
    run.link_artifact(art, "wandb-registry-model/classifier", aliases=["production"])
    out = {"train": run.id, "entity": run.entity}
    wandb.finish()
    print("RESULT " + json.dumps(out))
""")


@pytest.fixture(scope="module")
def registered(server, tmp_path_factory):
    work = tmp_path_factory.mktemp("registry")
    env = dict(
        os.environ,
        RUNYARD_HOME=str(server.config.home),
        PYTHONPATH=str(REPO),
        RUNYARD_SILENT="true",
        RUNYARD_API_KEY=server.api_key,
        RUNYARD_BASE_URL=server.url,
        RUNYARD_CACHE_DIR=str(work / "cache"),
    )
    for k in ("WANDB_API_KEY", "WANDB_BASE_URL", "RUNYARD_MODE", "WANDB_MODE"):
        env.pop(k, None)
    p = subprocess.run(
        [sys.executable, "-c", WRITER], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 0, p.stdout + p.stderr
    return json.loads(p.stdout.split("RESULT ", 1)[1])


@pytest.fixture
def page_1280(browser, server):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    sign_in(ctx, server)
    pg = ctx.new_page()
    errors: list[str] = []
    watch_errors(pg, errors)
    yield pg
    ctx.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_move_production_and_follow_lineage(page_1280, server, registered):
    page = page_1280
    e = registered["entity"]
    page.goto(server.url)
    page.get_by_role("region", name="Registries").get_by_role("link", name=f"{e} / model").click()
    page.get_by_role("heading", name="Registry model").wait_for()
    assert page.locator(".registry-description").inner_text() == "Classifiers we serve"
    page.get_by_text("Accepts model", exact=True).wait_for()
    row = page.locator('tr[data-collection="classifier"]')
    assert "production → v1" in row.inner_text() and "staging → v0" in row.inner_text()
    row.get_by_role("link", name="classifier").click()
    page.wait_for_url(f"**/{e}/wandb-registry-model/classifier")
    versions = page.get_by_role("region", name="Versions")
    v1 = versions.locator('tr[data-version="v1"]')
    v1.get_by_text("production", exact=True).wait_for()
    assert f"{e}/reg/clf:v1" in v1.inner_text() and "train" in v1.inner_text()
    # the lineage of the production version (shown by default): training run, its config, the dataset
    page.get_by_role("region", name="Lineage of v1").wait_for()
    page.get_by_role("link", name="Artifact mnist:v0", exact=True).wait_for()
    page.get_by_role("link", name="Run train", exact=True).wait_for()
    assert "0.003" in page.get_by_role("region", name="Config of the training run").inner_text()
    shot(page, "registry-collection")

    # move production back to v0 in the page
    form = page.get_by_role("form", name="Move an alias")
    form.get_by_label("Alias").fill("production")
    form.get_by_label("to").select_option("v0")
    form.get_by_role("button", name="Move").click()
    versions.locator('tr[data-version="v0"]').get_by_text("production", exact=True).wait_for()
    versions.locator('tr[data-version="v1"]').get_by_text("production", exact=True).wait_for(state="detached")
    history = page.get_by_role("region", name="History")
    history.get_by_text("moved production to v0 (from v1)").wait_for()
    assert "admin" in history.locator("tr").first.inner_text()
    page.get_by_role("region", name="Lineage of v0").wait_for()
    shot(page, "registry-moved")

    # follow the lineage to the training run
    page.get_by_role("region", name="Trained by").get_by_role("link", name="train").click()
    page.wait_for_url(f"**/runs/{registered['train']}")
    page.get_by_role("heading", name="train").wait_for()


def test_registry_page_in_chinese(browser, server, registered):
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    sign_in(ctx, server)
    page = ctx.new_page()
    try:
        page.goto(f"{server.url}/{registered['entity']}/wandb-registry-model/classifier")
        page.get_by_role("heading", name="注册表 model").wait_for()
        page.get_by_role("region", name="历史").locator("tr").first.wait_for()
        page.get_by_role("form", name="移动别名").wait_for()
        page.get_by_role("region", name=re.compile(r"^v\d 的血缘$")).get_by_role("img").wait_for()
        check_translated(page)
        assert page.evaluate(ENGLISH_ON_SCREEN, ALLOWED) == []
        shot(page, "registry-zh-CN")
        page.goto(server.url)  # the projects page lists the registry
        page.get_by_role("region", name="模型注册表").get_by_role("link").first.wait_for()
        assert page.evaluate(ENGLISH_ON_SCREEN, ALLOWED) == []
    finally:
        ctx.close()
