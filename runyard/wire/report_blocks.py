"""The blocks of a report, as the server stores them and the UI and `runyard.Api()` write them.

A report is a title and a list of blocks; each block is a JSON object with an `id` (unique in the
report, chosen by its writer) and a `type`, one of the models below (a union tagged on `type`):

| type | fields |
|---|---|
| `heading` | `text`, `level` (1-3) |
| `markdown` | `text` (Markdown; rendered without raw HTML) |
| `panels` | `runset`, `metrics` (metric names, one chart each), `settings` (chart settings), `panel_settings` (metric -> that chart's own settings, as a saved view's `panels`), `columns` (0-4) |
| `runs` | `runset`, `columns` (extra table columns such as `config.lr`, `summary.loss`) |
| `media` | `runset`, `keys` (media keys) |
| `artifact` | `artifact` (`entity/project/name:version`) |
| `code` | `text`, `language` |
| `image` | `run` (`entity/project/run_id`), `path` (an image file of the run), `caption` |

A run set is `{"projects": ["entity/project", ...], "filter": "<the workspace's filter text>",
"runs": [run ids] (optional: only these)}`: the runs it names are resolved when the report is viewed,
so a panel grid keeps up with runs that arrive. Every field but `id` and `type` is optional: an
absent field stays absent (the models default to UNSET, so a block is stored as it was sent).

The request models of the report routes (api_models/reports.py) use these, so the server's contract
checks every block (a 4xx whose `field` names the block and its field, e.g. `blocks[2].text`) and the
OpenAPI document and the UI's types describe them.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import UNSET, Meta, UnsetType

MAX_LIST = 500  # items of one list field (metrics, keys, columns, runs, projects)
MAX_ID = 64

Strings = Annotated[list[str], Meta(max_length=MAX_LIST, description=f"at most {MAX_LIST}")]
Small = Annotated[int, Meta(ge=0, le=16)]
Object = dict[str, Any]


class RunSet(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """Runs resolved when the report is viewed: the projects' runs the filter keeps (only `runs`
    when given)."""

    projects: Annotated[Strings, Meta(description="entity/project names")] | UnsetType = UNSET
    filter: Annotated[str, Meta(description="the workspace's filter text")] | UnsetType = UNSET
    runs: Annotated[Strings, Meta(description="run ids: only these")] | UnsetType = UNSET


class _Block(msgspec.Struct, tag_field="type", forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    id: Annotated[
        str, Meta(min_length=1, max_length=MAX_ID, description=f"unique in the report, 1-{MAX_ID} characters")
    ]


class HeadingBlock(_Block, tag="heading"):
    text: str | UnsetType = UNSET
    level: Small | UnsetType = UNSET


class MarkdownBlock(_Block, tag="markdown"):
    text: Annotated[str, Meta(description="Markdown, rendered without raw HTML")] | UnsetType = UNSET


class PanelsBlock(_Block, tag="panels"):
    runset: RunSet | UnsetType = UNSET
    metrics: Annotated[Strings, Meta(description="metric names, one chart each")] | UnsetType = UNSET
    settings: Annotated[Object, Meta(description="chart settings")] | UnsetType = UNSET
    panel_settings: Annotated[Object, Meta(description="metric -> that chart's own settings")] | UnsetType = (
        UNSET
    )
    columns: Small | UnsetType = UNSET


class RunsBlock(_Block, tag="runs"):
    runset: RunSet | UnsetType = UNSET
    columns: Annotated[Strings, Meta(description="extra table columns such as config.lr")] | UnsetType = UNSET


class MediaBlock(_Block, tag="media"):
    runset: RunSet | UnsetType = UNSET
    keys: Annotated[Strings, Meta(description="media keys")] | UnsetType = UNSET


class ArtifactBlock(_Block, tag="artifact"):
    artifact: Annotated[str, Meta(description="entity/project/name:version")] | UnsetType = UNSET


class CodeBlock(_Block, tag="code"):
    text: str | UnsetType = UNSET
    language: str | UnsetType = UNSET


class ImageBlock(_Block, tag="image"):
    run: Annotated[str, Meta(description="entity/project/run_id")] | UnsetType = UNSET
    path: Annotated[str, Meta(description="an image file of the run")] | UnsetType = UNSET
    caption: str | UnsetType = UNSET


Block = (
    HeadingBlock
    | MarkdownBlock
    | PanelsBlock
    | RunsBlock
    | MediaBlock
    | ArtifactBlock
    | CodeBlock
    | ImageBlock
)


def problem(blocks: list[Block], max_blocks: int) -> str | None:
    """What the shapes cannot say about a list of blocks: its bound and that ids are unique."""
    if len(blocks) > max_blocks:
        return f"a report has at most {max_blocks} blocks, not {len(blocks)}"
    seen: set[str] = set()
    for i, b in enumerate(blocks):
        if b.id in seen:
            return f"block {i}: id {b.id!r} is used twice"
        seen.add(b.id)
    return None


def as_json(blocks: list[Block]) -> list[dict]:
    """The blocks as JSON objects: the fields that were sent, no others (absent ones are UNSET)."""
    return msgspec.to_builtins(blocks)


def shown_projects(blocks: list[dict]) -> set[tuple[str, str]]:
    """The (entity, project) pairs whose data the blocks show: their run sets' projects, the project
    of an artifact card and of an image's run. A share link reads these and nothing else."""
    out: set[tuple[str, str]] = set()
    for b in blocks:
        names = list((b.get("runset") or {}).get("projects") or [])
        for field in ("artifact", "run"):  # entity/project/name:version, entity/project/run_id
            if isinstance(b.get(field), str):
                names.append("/".join(b[field].split("/")[:2]))
        for name in names:
            e, sep, p = name.strip().partition("/")
            if sep and e and p and "/" not in p:
                out.add((e, p))
    return out
