"""`run.summary`: the run's final values, readable and settable like a dict."""

from __future__ import annotations

from collections.abc import Callable, ItemsView, Iterator, KeysView, ValuesView
from typing import Any

from ..wire.summary import SummaryState


class Summary:
    def __init__(
        self, state: SummaryState, sink: Callable[[dict, list], None] | None, start: Callable[[], tuple]
    ):
        object.__setattr__(self, "_state", state)
        object.__setattr__(self, "_sink", sink)
        object.__setattr__(self, "_start", start)

    def _snapshot(self) -> dict[str, Any]:
        return self._state.snapshot(*self._start())

    def __getitem__(self, key: str) -> Any:
        return self._snapshot()[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._snapshot()[key]
        except KeyError:
            raise AttributeError(f"summary has no key {key!r}") from None

    def get(self, key: str, default: Any = None) -> Any:
        return self._snapshot().get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __setattr__(self, key: str, value: Any) -> None:
        self.update({key: value})

    def __delitem__(self, key: str) -> None:
        self._state.remove([key])
        if self._sink:
            self._sink({}, [key])

    def update(self, d: dict | None = None, **kwargs: Any) -> None:
        from .values import normalize_log_value

        data = {**(d or {}), **kwargs}
        run = getattr(self._sink, "__self__", None)  # media in the summary belong to this run
        clean = {str(k): normalize_log_value(str(k), v, run, None) for k, v in data.items()}
        self._state.update(clean)
        if self._sink:
            self._sink(clean, [])

    def __contains__(self, key: object) -> bool:
        return key in self._snapshot()

    def __iter__(self) -> Iterator[str]:
        return iter(self._snapshot())

    def __len__(self) -> int:
        return len(self._snapshot())

    def keys(self) -> KeysView[str]:
        return self._snapshot().keys()

    def items(self) -> ItemsView[str, Any]:
        return self._snapshot().items()

    def values(self) -> ValuesView[Any]:
        return self._snapshot().values()

    def as_dict(self) -> dict[str, Any]:
        return self._snapshot()

    def __repr__(self) -> str:
        return f"Summary({self._snapshot()!r})"
