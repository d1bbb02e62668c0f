"""`runyard db migrate` (upgrade a database in place) and `runyard db copy` (move an install to another
database, and optionally its blobs to an S3-compatible store). Run them with the server stopped."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from ..store.blobs import BlobStore
    from ..store.db import Database

DB_HELP = "Database URL (default: RUNYARD_DB_URL, else SQLite in the home directory)."


def _database(url: str) -> Database:
    try:
        from ..store.db import Database
    except ImportError as e:
        raise click.ClickException(f"{e} (pip install 'runyard[server]')") from None
    return Database(url)  # no query time limit: a copy reads whole tables


def _shown(url: str) -> str:
    return url.split("@")[-1] if "@" in url else url


@click.group("db")
def db() -> None:
    """Upgrade the server's database, or copy an install to another database and blob store."""


@db.command("migrate")
@click.option("--db", "db_url", default=None, metavar="URL", help=DB_HELP)
@click.option("--home", default=None, type=click.Path(file_okay=False), help="Data directory (RUNYARD_HOME).")
def migrate_cmd(db_url: str | None, home: str | None) -> None:
    """Upgrade the database schema to this runyard's version (the server also does it at start)."""
    from ..server.config import ServerConfig
    from ..store.db import SchemaTooNew, current_revision, head_revision, migrate

    cfg = ServerConfig.resolve(home=home, db_url=db_url)
    database = _database(cfg.db_url)
    before = current_revision(database)
    try:
        migrate(database)
    except SchemaTooNew as e:
        raise click.ClickException(str(e)) from None
    after = head_revision()
    if before == after:
        click.echo(f"{_shown(cfg.db_url)}: already at revision {after}")
    else:
        click.echo(f"{_shown(cfg.db_url)}: upgraded from revision {before or '(empty)'} to {after}")


@db.command("copy")
@click.argument("source", metavar="SOURCE_URL")
@click.argument("dest", metavar="DEST_URL")
@click.option(
    "--blobs",
    "blob_dir",
    default=None,
    type=click.Path(file_okay=False),
    help="The source's blob folder (default: blobs/ next to a SQLite source's file).",
)
@click.option(
    "--blob-url",
    default=None,
    metavar="URL",
    help="Copy the blobs too, to this store: s3://bucket/prefix (endpoint and credentials as for "
    "`runyard server`, docs/storage.md) or a folder.",
)
def copy_cmd(source: str, dest: str, blob_dir: str | None, blob_url: str | None) -> None:
    """Copy every table of SOURCE_URL into DEST_URL (e.g. sqlite:///home/runyard.db to
    postgresql://user@host/db), and with --blob-url the blobs; counts are verified, a re-run resumes."""
    from ..store.copy import CopyError, copy_blobs, copy_database

    src, dst = _database(source), _database(dest)
    try:
        report = copy_database(src, dst, click.echo)
        rows = sum(c for c, _p in report.tables.values())
        kept = sum(p for _c, p in report.tables.values())
        click.echo(f"database: {rows} row(s) copied, {kept} already there; every table's count matches")
        if blob_url:
            from ..store.blobs import LocalBlobStore

            folder = Path(blob_dir) if blob_dir else _sqlite_blobs(source)
            if not (folder / "tmp").is_dir() and not any(folder.glob("??")):
                raise click.ClickException(
                    f"{folder} holds no blobs: pass the source's blob folder with --blobs"
                )
            copy_blobs(LocalBlobStore(folder), _blob_store(blob_url, folder), report, click.echo)
            click.echo(
                f"blobs: {report.blobs_copied} copied ({report.blob_bytes / 1e6:.1f} MB), "
                f"{report.blobs_present} already there; every blob is in {blob_url}"
            )
    except CopyError as e:
        raise click.ClickException(str(e)) from None
    finally:
        src.close()
        dst.close()


def _sqlite_blobs(url: str) -> Path:
    if not url.startswith("sqlite:///"):
        raise click.ClickException("the source is not SQLite: name its blob folder with --blobs")
    return Path(url[len("sqlite:///") :]).parent / "blobs"


def _blob_store(url: str, staging: Path) -> BlobStore:
    from ..server.config import ServerConfig

    if "://" not in url:
        from ..store.blobs import LocalBlobStore

        return LocalBlobStore(url)
    try:
        return ServerConfig.resolve(home=staging.parent, blob_url=url).open_blobs()
    except (ValueError, RuntimeError) as e:
        raise click.ClickException(str(e)) from None
