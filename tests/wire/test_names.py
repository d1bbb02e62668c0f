"""The name rule the SDK, the store and the server share."""

from __future__ import annotations

import pytest

from runyard.wire.names import valid_artifact_name, valid_entity_name, valid_project_name


@pytest.mark.parametrize("name", ["alice", "team-1", "a.b_c", "x" * 128])
def test_entity_names_accepted(name):
    assert valid_entity_name(name)


@pytest.mark.parametrize(
    "name", ["", ".", "..", "a b", "a/b", "a:b", "<x>", "a(b)", "it's", "a=b", "a+b", "é", "x" * 129, "a\n"]
)
def test_entity_names_refused(name):
    assert not valid_entity_name(name)


@pytest.mark.parametrize("name", ["cs336-a5-sft-v2", "My Project", "run.1_b", "0u7cu67v"])
def test_project_names_and_run_ids_accepted(name):
    assert valid_project_name(name)


@pytest.mark.parametrize(
    "name",
    ["", " p", "p ", "..", "a/b", "a#b", "a%20", "<script>", "a(b)", "it's", "a=b", "a+b", "p\n", "\x00"],
)
def test_project_names_and_run_ids_refused(name):
    assert not valid_project_name(name)


def test_artifact_names():
    assert valid_artifact_name("mnist-model.v2") and valid_artifact_name("t" * 64, max_len=64)
    assert not valid_artifact_name("-lead") and not valid_artifact_name("a b")
    assert not valid_artifact_name("t" * 65, max_len=64) and not valid_artifact_name(None)
