"""The blocks of a report, as the server stores them and the UI and `runyard.Api()` write them.

A report is a title and a list of blocks; each block is a JSON object with an `id` (unique in the
report, chosen by its writer) and a `type`:

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
so a panel grid keeps up with runs that arrive. Every field but `id` and `type` is optional.
"""

from __future__ import annotations

from typing import Any

BLOCK_FIELDS: dict[str, dict[str, str]] = {
    "heading": {"text": "str", "level": "int"},
    "markdown": {"text": "str"},
    "panels": {
        "runset": "runset",
        "metrics": "strs",
        "settings": "obj",
        "panel_settings": "obj",
        "columns": "int",
    },
    "runs": {"runset": "runset", "columns": "strs"},
    "media": {"runset": "runset", "keys": "strs"},
    "artifact": {"artifact": "str"},
    "code": {"text": "str", "language": "str"},
    "image": {"run": "str", "path": "str", "caption": "str"},
}
RUNSET_FIELDS = {"projects": "strs", "filter": "str", "runs": "strs"}
MAX_LIST = 500  # items of one list field (metrics, keys, columns, runs, projects)
MAX_ID = 64


class BlockError(ValueError):
    """A block that does not have the documented shape; the message names the block and field."""


def _check(where: str, value: Any, kind: str) -> None:
    if kind == "str":
        ok = isinstance(value, str)
    elif kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 16
    elif kind == "obj":
        ok = isinstance(value, dict) and all(isinstance(k, str) for k in value)
    elif kind == "strs":
        ok = isinstance(value, list) and len(value) <= MAX_LIST and all(isinstance(x, str) for x in value)
    else:  # runset
        if not isinstance(value, dict):
            raise BlockError(f"{where} must be an object {{projects, filter, runs}}")
        for k, v in value.items():
            if k not in RUNSET_FIELDS:
                raise BlockError(f"{where} has an unknown field {k!r}")
            _check(f"{where}.{k}", v, RUNSET_FIELDS[k])
        return
    if not ok:
        what = {"str": "a string", "int": "an integer 0-16", "obj": "an object", "strs": "a list of strings"}
        raise BlockError(
            f"{where} must be {what[kind]}" + (f" (at most {MAX_LIST})" if kind == "strs" else "")
        )


def validate(blocks: Any, max_blocks: int) -> list[dict]:
    """`blocks` when it is a valid list of at most `max_blocks` blocks; BlockError otherwise."""
    if not isinstance(blocks, list):
        raise BlockError("blocks must be a list")
    if len(blocks) > max_blocks:
        raise BlockError(f"a report has at most {max_blocks} blocks, not {len(blocks)}")
    seen: set[str] = set()
    for i, b in enumerate(blocks):
        if not isinstance(b, dict):
            raise BlockError(f"block {i} must be an object")
        bid, kind = b.get("id"), b.get("type")
        if not isinstance(bid, str) or not 0 < len(bid) <= MAX_ID:
            raise BlockError(f"block {i} needs an id (a string of 1-{MAX_ID} characters)")
        if bid in seen:
            raise BlockError(f"block {i}: id {bid!r} is used twice")
        seen.add(bid)
        if kind not in BLOCK_FIELDS:
            raise BlockError(f"block {i}: type must be one of {', '.join(BLOCK_FIELDS)}, not {kind!r}")
        fields = BLOCK_FIELDS[kind]
        for k, v in b.items():
            if k in ("id", "type"):
                continue
            if k not in fields:
                raise BlockError(
                    f"block {i} ({kind}) has an unknown field {k!r}; it has: {', '.join(fields)}"
                )
            _check(f"block {i} ({kind}) field {k!r}", v, fields[k])
    return blocks


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
