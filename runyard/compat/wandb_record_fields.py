"""Field tables for the parts of wandb's `wandb_internal.Record` that the importer reads.

Field numbers re-derived from wandb's public `.proto` definitions (`wandb/proto/wandb_internal.proto`,
MIT licensed) and checked against files written by wandb 0.31.0. Fields that are not listed are
skipped by the decoder (telemetry, settings, requests, ...).
"""

from __future__ import annotations

from .protowire import BOOL, DOUBLE, ENUM, INT, MSG, STR, UINT, Schema

TIMESTAMP: Schema = {1: ("seconds", INT, False, None), 2: ("nanos", INT, False, None)}

# HistoryItem, SummaryItem and ConfigItem share key (1), nested_key (2) and value_json (16).
ITEM: Schema = {
    1: ("key", STR, False, None),
    2: ("nested_key", STR, True, None),
    16: ("value_json", STR, False, None),
}
HISTORY_ITEM: Schema = {
    **ITEM,
    3: ("none", ENUM, False, None),
    4: ("boolean", BOOL, False, None),
    5: ("integer", INT, False, None),
    6: ("number", DOUBLE, False, None),
    7: ("text", STR, False, None),
    8: ("json", STR, False, None),
}
HISTORY: Schema = {
    1: ("item", MSG, True, HISTORY_ITEM),
    2: ("step", MSG, False, {1: ("num", INT, False, None)}),
}
UPDATE_REMOVE: Schema = {1: ("update", MSG, True, ITEM), 2: ("remove", MSG, True, ITEM)}
FILES: Schema = {
    1: (
        "files",
        MSG,
        True,
        {1: ("path", STR, False, None), 2: ("policy", ENUM, False, None), 3: ("type", ENUM, False, None)},
    )
}
STATS: Schema = {
    1: ("stats_type", ENUM, False, None),
    2: ("timestamp", MSG, False, TIMESTAMP),
    3: ("item", MSG, True, {1: ("key", STR, False, None), 16: ("value_json", STR, False, None)}),
}
METRIC: Schema = {
    1: ("name", STR, False, None),
    2: ("glob_name", STR, False, None),
    4: ("step_metric", STR, False, None),
    5: ("step_metric_index", INT, False, None),
    6: (
        "options",
        MSG,
        False,
        {
            1: ("step_sync", BOOL, False, None),
            2: ("hidden", BOOL, False, None),
            3: ("defined", BOOL, False, None),
        },
    ),
    7: (
        "summary",
        MSG,
        False,
        {
            1: ("min", BOOL, False, None),
            2: ("max", BOOL, False, None),
            3: ("mean", BOOL, False, None),
            4: ("best", BOOL, False, None),
            5: ("last", BOOL, False, None),
            6: ("none", BOOL, False, None),
            7: ("copy", BOOL, False, None),
            8: ("first", BOOL, False, None),
        },
    ),
    8: ("goal", ENUM, False, None),
    10: ("expanded_from_glob", BOOL, False, None),
}
OUTPUT: Schema = {
    1: ("output_type", ENUM, False, None),
    2: ("timestamp", MSG, False, TIMESTAMP),
    3: ("line", STR, False, None),
}
GIT: Schema = {1: ("remote_url", STR, False, None), 2: ("commit", STR, False, None)}
RUN: Schema = {
    1: ("run_id", STR, False, None),
    2: ("entity", STR, False, None),
    3: ("project", STR, False, None),
    4: ("config", MSG, False, UPDATE_REMOVE),
    5: ("summary", MSG, False, UPDATE_REMOVE),
    6: ("run_group", STR, False, None),
    7: ("job_type", STR, False, None),
    8: ("display_name", STR, False, None),
    9: ("notes", STR, False, None),
    10: ("tags", STR, True, None),
    12: ("sweep_id", STR, False, None),
    13: ("host", STR, False, None),
    14: ("starting_step", INT, False, None),
    16: ("storage_id", STR, False, None),
    17: ("start_time", MSG, False, TIMESTAMP),
    18: ("resumed", BOOL, False, None),
    20: ("runtime", INT, False, None),
    21: ("git", MSG, False, GIT),
    22: ("forked", BOOL, False, None),
    24: ("resume", BOOL, False, None),
}
EXIT: Schema = {
    1: ("exit_code", INT, False, None),
    2: ("runtime", INT, False, None),
    3: ("not_complete", BOOL, False, None),
}
ENVIRONMENT: Schema = {
    1: ("os", STR, False, None),
    2: ("python", STR, False, None),
    3: ("started_at", MSG, False, TIMESTAMP),
    4: ("docker", STR, False, None),
    5: ("args", STR, True, None),
    6: ("program", STR, False, None),
    7: ("code_path", STR, False, None),
    8: ("code_path_local", STR, False, None),
    9: ("git", MSG, False, GIT),
    10: ("email", STR, False, None),
    11: ("root", STR, False, None),
    12: ("host", STR, False, None),
    13: ("username", STR, False, None),
    14: ("executable", STR, False, None),
    15: ("colab", STR, False, None),
    16: ("cpu_count", UINT, False, None),
    17: ("cpu_count_logical", UINT, False, None),
    18: ("gpu_type", STR, False, None),
    19: ("gpu_count", UINT, False, None),
    20: (
        "disk",
        MSG,
        True,
        {
            1: ("key", STR, False, None),
            2: ("value", MSG, False, {1: ("total", UINT, False, None), 2: ("used", UINT, False, None)}),
        },
    ),
    21: ("memory", MSG, False, {1: ("total", UINT, False, None)}),
    22: (
        "cpu",
        MSG,
        False,
        {
            1: ("count", UINT, False, None),
            2: ("count_logical", UINT, False, None),
            3: ("model", STR, False, None),
        },
    ),
    24: (
        "gpu_nvidia",
        MSG,
        True,
        {
            1: ("name", STR, False, None),
            2: ("memory_total", UINT, False, None),
            3: ("cuda_cores", UINT, False, None),
            4: ("architecture", STR, False, None),
            5: ("uuid", STR, False, None),
        },
    ),
    25: ("cuda_version", STR, False, None),
    199: ("writer_id", STR, False, None),
}
MANIFEST_ENTRY: Schema = {
    1: ("path", STR, False, None),
    2: ("digest", STR, False, None),  # base64 MD5 for files; an ETag/checksum for references
    3: ("ref", STR, False, None),
    4: ("size", INT, False, None),
    6: ("local_path", STR, False, None),  # absolute, in wandb's staging folder (outside the run dir)
}
ARTIFACT: Schema = {
    1: ("run_id", STR, False, None),
    2: ("project", STR, False, None),
    3: ("entity", STR, False, None),
    4: ("type", STR, False, None),
    5: ("name", STR, False, None),
    6: ("digest", STR, False, None),
    7: ("description", STR, False, None),
    8: ("metadata", STR, False, None),  # JSON text
    11: ("aliases", STR, True, None),
    12: (
        "manifest",
        MSG,
        False,
        {4: ("contents", MSG, True, MANIFEST_ENTRY), 5: ("manifest_file_path", STR, False, None)},
    ),
    15: ("client_id", STR, False, None),
}
USE_ARTIFACT: Schema = {
    1: ("id", STR, False, None),
    2: ("type", STR, False, None),
    3: ("name", STR, False, None),
}
ALERT: Schema = {
    1: ("title", STR, False, None),
    2: ("text", STR, False, None),
    3: ("level", STR, False, None),
    4: ("wait_duration", INT, False, None),
}
HEADER: Schema = {
    1: (
        "version_info",
        MSG,
        False,
        {1: ("producer", STR, False, None), 2: ("min_consumer", STR, False, None)},
    )
}

# Record: field number of the `record_type` oneof member -> (name, schema); None = known, not imported.
RECORD_TYPES: dict[int, tuple[str, Schema | None]] = {
    2: ("history", HISTORY),
    3: ("summary", UPDATE_REMOVE),
    4: ("output", OUTPUT),
    5: ("config", UPDATE_REMOVE),
    6: ("files", FILES),
    7: ("stats", STATS),
    8: ("artifact", ARTIFACT),
    9: ("tbrecord", None),
    10: ("alert", ALERT),
    11: ("telemetry", None),
    12: ("metric", METRIC),
    13: ("output_raw", OUTPUT),
    17: ("run", RUN),
    18: ("exit", EXIT),
    20: ("final", None),
    21: ("header", HEADER),
    22: ("footer", None),
    23: ("preempting", {}),
    24: ("noop_link_artifact", None),
    25: ("use_artifact", USE_ARTIFACT),
    26: ("environment", ENVIRONMENT),
    27: ("output_logger", None),
    100: ("request", None),
}
RECORD_NUM = 1  # Record.num: the writer's sequence number

# enums
OUTPUT_STDERR, OUTPUT_STDOUT = 0, 1
POLICY = {0: "now", 1: "end", 2: "live"}
FILE_TYPE_OTHER, FILE_TYPE_WANDB, FILE_TYPE_MEDIA, FILE_TYPE_ARTIFACT = 0, 1, 2, 3
