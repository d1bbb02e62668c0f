"""`runyard artifact put|get|ls|cache cleanup`: artifacts from the command line (docs/artifacts.md).

Errors are turned into one line by the command group (cli/main.py)."""

from __future__ import annotations

import os
from typing import Any

import click


def _api(host: str | None) -> Any:
    from ..api import Api

    return Api({"base_url": host} if host else None)


@click.group("artifact")
def artifact() -> None:
    """Upload, download and list artifacts; manage the local artifact cache."""


@artifact.command("put")
@click.argument("path", type=click.Path(exists=True))
@click.option("--name", "-n", required=True, help="Artifact name: NAME, PROJECT/NAME or ENTITY/PROJECT/NAME.")
@click.option("--type", "-t", "type_", default="dataset", show_default=True, help="Artifact type.")
@click.option("--alias", "-a", "aliases", multiple=True, help="Alias to give the version (repeatable).")
@click.option("--description", "-d", default=None)
@click.option("--host", default=None, metavar="URL", help="Server URL (default: from login/env).")
def put(
    path: str, name: str, type_: str, aliases: tuple[str, ...], description: str | None, host: str | None
) -> None:
    """Upload a file or folder as a new version of an artifact (no run: no lineage producer)."""
    from ..sdk.artifacts.artifact import Artifact, parse_artifact_path
    from ..sdk.artifacts.transfer import Transport, commit

    api = _api(host)
    entity, project, coll, _ = parse_artifact_path(name, None, api.settings.get("project") or "uncategorized")
    entity = entity or api.default_entity
    art = Artifact(coll, type_, description=description)
    art.add_dir(path) if os.path.isdir(path) else art.add_file(path)
    sources = {e.sha256: e.local_path for e in art._entries.values() if e.sha256 and e.local_path}
    t = Transport.like(api.client)
    out = commit(t, entity, project, coll, art._commit_doc(list(aliases)), sources.get, art.stats)
    t.close()
    state = "new version" if out.get("created") else "same content as an existing version"
    click.echo(
        f"{out['qualified_name']} ({state}; {art.stats.uploaded_blobs} file(s), "
        f"{art.stats.uploaded_bytes} bytes uploaded) aliases: {', '.join(out['aliases'])}"
    )


@artifact.command("get")
@click.argument("path")
@click.option("--root", default=None, help="Directory to download into (default ./artifacts/NAME:VERSION).")
@click.option("--type", "-t", "type_", default=None, help="Fail unless the artifact has this type.")
@click.option("--host", default=None, metavar="URL", help="Server URL (default: from login/env).")
def get(path: str, root: str | None, type_: str | None, host: str | None) -> None:
    """Download an artifact version (PATH: [ENTITY/]PROJECT/NAME[:ALIAS|:vN], default alias latest)."""
    art = _api(host).artifact(path, type=type_)
    out = art.download(root)
    s = art.stats
    click.echo(
        f"{art.qualified_name} -> {out} ({s.downloaded_blobs} file(s) downloaded, "
        f"{s.cached_blobs} from the cache, {s.downloaded_bytes} bytes)"
    )


@artifact.command("ls")
@click.argument("project")
@click.option("--type", "-t", "type_", default=None, help="Only artifacts of this type.")
@click.option("--host", default=None, metavar="URL", help="Server URL (default: from login/env).")
def ls(project: str, type_: str | None, host: str | None) -> None:
    """List the artifacts of PROJECT ([ENTITY/]PROJECT) with their versions and aliases."""
    api = _api(host)
    entity, proj = api._project_path(project)
    for c in api.artifact_collections(f"{entity}/{proj}", type_):
        versions = api.artifact_versions(None, f"{entity}/{proj}/{c.name}")
        click.echo(f"{c.name}  ({c.type}, {c.version_count} version(s))")
        for v in versions:
            al = f"  [{', '.join(v.aliases)}]" if v.aliases else ""
            click.echo(f"  {v.version:>6}  {v.size:>12} B  {v.digest[:12]}{al}")


@artifact.group("cache")
def cache() -> None:
    """The local artifact cache (RUNYARD_CACHE_DIR, default ~/.cache/runyard)."""


@cache.command("cleanup")
@click.option(
    "--max-size", default="10GB", show_default=True, help="Size to shrink the cache to (e.g. 500MB)."
)
def cleanup(max_size: str) -> None:
    """Remove the least recently used cached files until the cache fits in --max-size."""
    from ..sdk.artifacts.cache import ArtifactCache, parse_size

    try:
        limit = parse_size(max_size)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None
    c = ArtifactCache()
    removed, freed = c.cleanup(limit)
    click.echo(f"removed {removed} file(s), freed {freed} bytes; cache {c.root} holds {c.size()} bytes")
