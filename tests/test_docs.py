"""Documentation completeness: every setting, env var and CLI command is documented."""

from __future__ import annotations

from pathlib import Path

import click

from runyard.cli.main import cli
from runyard.sdk.settings import FIELDS

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_every_setting_and_env_var_is_in_sdk_docs():
    text = (DOCS / "sdk.md").read_text()
    for field, (_default, _conv, extra, _doc) in FIELDS.items():
        assert f"`{field}`" in text, field
        for name in (field.upper(), *extra):
            assert f"RUNYARD_{name}" in text and f"WANDB_{name}" in text, name


def _commands(group: click.Group, prefix: str = "runyard") -> list[str]:
    out = []
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the top group loads its commands on demand
        cmd = group.get_command(ctx, name)
        assert cmd is not None, name
        full = f"{prefix} {name}"
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, full))
        else:
            out.append(full)
    return out


def test_every_cli_command_is_in_cli_docs():
    text = (DOCS / "cli.md").read_text()
    commands = _commands(cli)
    assert {"runyard sync", "runyard server", "runyard agent"} <= set(commands)
    for cmd in commands:
        assert f"`{cmd}" in text, cmd


def test_every_server_bound_is_in_security_docs():
    from runyard.server.config import BOUNDS

    text = (DOCS / "security.md").read_text()
    for name in BOUNDS:
        assert f"| `{name}` | `RUNYARD_{name.upper()}` |" in text, name
