"""`runyard registry ls|show|link|alias|unalias|unlink`: the model registry from the command line
(docs/registry.md). Collections are named as in the SDK: [ENTITY/]wandb-registry-REGISTRY/COLLECTION."""

from __future__ import annotations

import datetime
from typing import Any

import click

from ..wire.names import REGISTRY_PREFIX, registry_name


def _api(host: str | None) -> Any:
    from ..api import Api

    return Api({"base_url": host} if host else None)


def _q(s: str) -> str:
    from ..api.http import quote

    return quote(s)


def _target(api: Any, path: str, want_version: bool) -> tuple[str, str, str, str | None]:
    """[ENTITY/]wandb-registry-R/COLLECTION[:VERSION] -> (entity, registry, collection, version)."""
    version = None
    if ":" in path:
        path, version = path.rsplit(":", 1)
    parts = [p for p in path.split("/") if p]
    reg = registry_name(parts[-2]) if len(parts) in (2, 3) else None
    if reg is None or (want_version and not version) or (not want_version and version):
        what = "COLLECTION:VERSION (vN or an alias)" if want_version else "COLLECTION"
        raise click.BadParameter(f"{path!r}: expected [ENTITY/]{REGISTRY_PREFIX}REGISTRY/{what}")
    entity = parts[0] if len(parts) == 3 else api.default_entity
    return entity, reg, parts[-1], version


def _url(e: str, r: str, c: str | None = None, v: str | None = None) -> str:
    return "/api/v1/registries/" + "/".join(_q(x) for x in (e, r, c, v) if x is not None)


def _when(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M:%S")


def _echo_version(d: dict) -> None:
    art = d["artifact"]["qualified_name"] if d.get("artifact") else "(an artifact you cannot read)"
    al = f"  [{', '.join(d['aliases'])}]" if d["aliases"] else ""
    click.echo(f"{d['path']} -> {art}{al}")


@click.group("registry")
def registry() -> None:
    """Registered models: link artifact versions, move aliases such as production, show history."""


HOST = click.option("--host", default=None, metavar="URL", help="Server URL (default: from login/env).")


@registry.command("ls")
@click.argument("entity", required=False)
@HOST
def ls(entity: str | None, host: str | None) -> None:
    """List the registries of ENTITY (default: yours) with their collections and aliases."""
    api = _api(host)
    e = entity or api.default_entity
    for r in api.client.call("GET", f"/api/v1/registries/{_q(e)}")["registries"]:
        click.echo(f"{e}/{REGISTRY_PREFIX}{r['name']}  ({r['collection_count']} collection(s))")
        for c in api.client.call("GET", _url(e, r["name"]))["collections"]:
            al = ", ".join(f"{a}={v}" for a, v in c["aliases"].items())
            click.echo(
                f"  {c['name']}  ({c['type']}, {c['version_count']} version(s)){'  ' + al if al else ''}"
            )


@registry.command("show")
@click.argument("collection")
@HOST
def show(collection: str, host: str | None) -> None:
    """Versions of COLLECTION ([ENTITY/]wandb-registry-R/NAME), what each links to, and its history."""
    api = _api(host)
    e, r, c, _ = _target(api, collection, want_version=False)
    doc = api.client.call("GET", _url(e, r, c))
    click.echo(f"{doc['path']}  ({doc['type']})")
    for v in doc["versions"]:
        _echo_version(v)
    click.echo("history:")
    for h in doc["history"]:
        d = h["detail"]
        what = {
            "registry.link": f"linked {d.get('artifact')} as {d.get('version')}",
            "registry.alias": f"moved {d.get('alias')} to {d.get('version')}"
            + (f" (from {d['was']})" if d.get("was") else ""),
            "registry.unalias": f"removed {d.get('alias')} from {d.get('version')}",
            "registry.unlink": f"unlinked {d.get('version')} ({d.get('artifact')})",
        }.get(h["action"], h["action"])
        click.echo(f"  {_when(h['at'])}  {h['actor']}  {what}")


@registry.command("link")
@click.argument("artifact")
@click.argument("collection")
@click.option("--alias", "-a", "aliases", multiple=True, help="Alias to move onto it (repeatable).")
@HOST
def link(artifact: str, collection: str, aliases: tuple[str, ...], host: str | None) -> None:
    """Register ARTIFACT ([ENTITY/]PROJECT/NAME[:vN|:ALIAS]) in COLLECTION ([ENTITY/]wandb-registry-R/NAME)."""
    from ..sdk.artifacts.artifact import parse_artifact_path

    api = _api(host)
    e, r, c, _ = _target(api, collection, want_version=False)
    ae, ap, an, ref = parse_artifact_path(artifact, None, None)
    body = {"artifact": f"{ae or api.default_entity}/{ap}/{an}:{ref}", "aliases": list(aliases)}
    _echo_version(api.client.call("POST", _url(e, r, c), body=body))


@registry.command("alias")
@click.argument("version")
@click.argument("aliases", nargs=-1, required=True)
@HOST
def alias(version: str, aliases: tuple[str, ...], host: str | None) -> None:
    """Move ALIASES (e.g. production) onto VERSION ([ENTITY/]wandb-registry-R/NAME:vN)."""
    api = _api(host)
    e, r, c, v = _target(api, version, want_version=True)
    _echo_version(api.client.call("POST", _url(e, r, c, v) + "/aliases", body={"add": list(aliases)}))


@registry.command("unalias")
@click.argument("version")
@click.argument("aliases", nargs=-1, required=True)
@HOST
def unalias(version: str, aliases: tuple[str, ...], host: str | None) -> None:
    """Take ALIASES off VERSION ([ENTITY/]wandb-registry-R/NAME:vN)."""
    api = _api(host)
    e, r, c, v = _target(api, version, want_version=True)
    _echo_version(api.client.call("POST", _url(e, r, c, v) + "/aliases", body={"remove": list(aliases)}))


@registry.command("unlink")
@click.argument("version")
@HOST
def unlink(version: str, host: str | None) -> None:
    """Take VERSION ([ENTITY/]wandb-registry-R/NAME:vN) out of its collection; the artifact stays."""
    api = _api(host)
    e, r, c, v = _target(api, version, want_version=True)
    click.echo("unlinked " + api.client.call("DELETE", _url(e, r, c, v))["unlinked"])
