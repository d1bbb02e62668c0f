"""`runyard gc`: find (and with --delete remove) blobs no artifact version and no run file references."""

from __future__ import annotations

import click


@click.command("gc")
@click.option("--delete", is_flag=True, help="Delete the unreferenced blobs (default: only report them).")
@click.option(
    "--grace",
    default=3600.0,
    show_default=True,
    type=click.FloatRange(0),
    help="Spare blobs younger than this many seconds (uploads whose commit has not arrived yet).",
)
@click.option("--host", default=None, metavar="URL", help="Server URL (default: from login/env).")
def gc(delete: bool, grace: float, host: str | None) -> None:
    """Free the storage of deleted artifact versions and runs (admin; a dry run unless --delete)."""
    from ..api import Api

    api = Api({"base_url": host} if host else None)
    out = api.client.call("POST", "/api/v1/admin/gc", body={"delete": delete, "grace_seconds": grace})
    mb = out["bytes_unreferenced"] / 1e6
    if delete:
        click.echo(
            f"deleted {out['deleted']} unreferenced blob(s), {mb:.1f} MB freed, "
            f"and {out.get('partial_uploads_deleted', 0)} partial upload(s)"
        )
    else:
        click.echo(
            f"{out['blobs_unreferenced']} unreferenced blob(s), {mb:.1f} MB (of {out['blobs_total']} blobs); "
            "dry run: pass --delete to free them"
        )
