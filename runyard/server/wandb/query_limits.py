"""Bounds on what one GraphQL document may ask for, checked before graphql-core's own validation.

A document is cheap to send and can be costly to answer: 2,000 aliases of one field kept the
standard validation (which compares every pair of fields) busy for 13 s of CPU. So the document is
parsed with a token limit, then `QueryLimits` measures it, fragments expanded where they are spread
(memoised per fragment, so a fragment bomb is measured without being expanded): the depth of
nested selections, the aliased fields and all fields. Only a document within the bounds
(server/config.py: graphql_max_*) goes on to validation and execution.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)


@dataclass(frozen=True)
class Bounds:
    max_depth: int
    max_aliases: int
    max_fields: int


@dataclass
class _Size:
    fields: int = 0
    aliases: int = 0
    depth: int = 0


@functools.lru_cache(maxsize=8)
def limits_rule(bounds: Bounds) -> type[ValidationRule]:
    """A validation rule that reports the first bound a document's operations cross."""

    class QueryLimits(ValidationRule):
        def enter_document(self, node: DocumentNode, *_args: Any) -> Any:
            fragments = {d.name.value: d for d in node.definitions if isinstance(d, FragmentDefinitionNode)}
            memo: dict[str, _Size] = {}
            for d in node.definitions:
                if isinstance(d, OperationDefinitionNode):
                    size = _measure(d.selection_set, fragments, memo, set())
                    for what, got, limit in (
                        ("nests selections {} levels deep", size.depth, bounds.max_depth),
                        ("has {} aliased fields", size.aliases, bounds.max_aliases),
                        ("selects {} fields", size.fields, bounds.max_fields),
                    ):
                        if got > limit:
                            msg = f"the query {what.format(got)}; the server's limit is {limit}"
                            self.report_error(GraphQLError(msg, d))
                            return self.BREAK
            return self.SKIP

    return QueryLimits


def _measure(
    sel: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    memo: dict[str, _Size],
    active: set[str],
) -> _Size:
    out = _Size()
    if sel is None:
        return out
    for s in sel.selections:
        if isinstance(s, FieldNode):
            sub = _measure(s.selection_set, fragments, memo, active)
            out.fields += 1 + sub.fields
            out.aliases += (1 if s.alias else 0) + sub.aliases
            out.depth = max(out.depth, 1 + sub.depth)
            continue
        if isinstance(s, InlineFragmentNode):
            sub = _measure(s.selection_set, fragments, memo, active)
        elif isinstance(s, FragmentSpreadNode):
            name = s.name.value
            if name in active or name not in fragments:  # a cycle or an unknown name: validation says so
                continue
            if name not in memo:
                active.add(name)
                memo[name] = _measure(fragments[name].selection_set, fragments, memo, active)
                active.discard(name)
            sub = memo[name]
        else:
            continue
        out.fields += sub.fields
        out.aliases += sub.aliases
        out.depth = max(out.depth, sub.depth)
    return out
