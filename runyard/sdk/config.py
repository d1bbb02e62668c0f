"""`run.config`: a dict with attribute access whose every change is appended to the run log."""

from __future__ import annotations

import os
from argparse import Namespace
from collections.abc import Callable, ItemsView, Iterator, KeysView, Mapping, ValuesView
from typing import Any

from ..errors import ConfigError, UsageError
from .values import normalize_config_value, values_equal

Sink = Callable[[dict[str, Any], list[str]], None]


def config_from(obj: Any) -> dict[str, Any]:
    """What init(config=...) and config.update(...) accept: dict, argparse.Namespace, absl FLAGS, YAML path."""
    if obj is None:
        return {}
    if isinstance(obj, Config):
        return obj.as_dict()
    if isinstance(obj, Mapping):
        return dict(obj)
    if isinstance(obj, Namespace):
        return dict(vars(obj))
    if isinstance(obj, (str, os.PathLike)):
        return load_yaml_config(os.fspath(obj))
    flag_values = getattr(obj, "flag_values_dict", None)  # absl.flags.FLAGS
    if callable(flag_values):
        return dict(flag_values())
    if hasattr(obj, "__dict__") and not isinstance(obj, type):
        return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    raise UsageError(
        f"config must be a dict, argparse.Namespace or path to a YAML file, not {type(obj).__name__}"
    )


def load_yaml_config(path: str) -> dict[str, Any]:
    try:
        import yaml
    except ImportError:
        raise UsageError(f"reading the config file {path!r} needs PyYAML: pip install pyyaml") from None
    try:
        with open(path, encoding="utf-8") as f:
            data = yaml.safe_load(f) or {}
    except OSError as e:
        raise UsageError(f"cannot read config file {path!r}: {e.strerror}") from None
    if not isinstance(data, dict):
        raise UsageError(f"config file {path!r} must hold a mapping at top level")
    # wandb's config-defaults.yaml form: {key: {value: v, desc: ...}}
    out = {}
    for k, v in data.items():
        if k == "wandb_version":
            continue
        out[k] = v["value"] if isinstance(v, dict) and "value" in v else v
    return out


class Config:
    """Item and attribute access; changing a value needs allow_val_change=True, as in wandb."""

    def __init__(self, sink: Sink | None = None, allow_val_change: bool = False):
        object.__setattr__(self, "_items", {})
        object.__setattr__(self, "_sink", sink)
        object.__setattr__(self, "_allow_val_change", allow_val_change)

    # -- writing ------------------------------------------------------------------------------
    def _set_many(self, d: Mapping[str, Any], allow_val_change: bool | None, only_new: bool = False) -> None:
        allow = self._allow_val_change if allow_val_change is None else allow_val_change
        changed: dict[str, Any] = {}
        for key, value in d.items():
            key = self._check_key(key)
            value = normalize_config_value(value)
            if key in self._items:
                if only_new or values_equal(self._items[key], value):
                    continue
                if not allow:
                    raise ConfigError(
                        f'Attempted to change value of key "{key}" from {self._items[key]!r} to {value!r}. '
                        "If you really want to do this, pass allow_val_change=True to config.update()"
                    )
            changed[key] = value
        if changed:
            self._items.update(changed)
            if self._sink is not None:
                self._sink(changed, [])

    @staticmethod
    def _check_key(key: Any) -> str:
        if not isinstance(key, str):
            key = str(key)
        if "." in key:
            raise ConfigError(
                f"config key {key!r} contains '.', which runyard (like wandb) reserves for nested paths"
            )
        if not key:
            raise ConfigError("config keys must be non-empty strings")
        return key

    def update(self, d: Any = None, allow_val_change: bool | None = None, **kwargs: Any) -> None:
        data = config_from(d)
        data.update(kwargs)
        self._set_many(data, allow_val_change)

    def setdefaults(self, d: Any) -> None:
        """Set keys that are not set yet; existing values win (used by sweeps to apply defaults)."""
        self._set_many(config_from(d), True, only_new=True)

    def __setitem__(self, key: str, value: Any) -> None:
        self._set_many({key: value}, None)

    def __setattr__(self, key: str, value: Any) -> None:
        self._set_many({key: value}, None)

    def __delitem__(self, key: str) -> None:
        del self._items[key]
        if self._sink is not None:
            self._sink({}, [key])

    __delattr__ = __delitem__

    # -- reading ------------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __getattr__(self, key: str) -> Any:
        try:
            return self._items[key]
        except KeyError:
            raise AttributeError(f"config has no key {key!r}") from None

    def get(self, key: str, default: Any = None) -> Any:
        return self._items.get(key, default)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def keys(self) -> KeysView[str]:
        return self._items.keys()

    def values(self) -> ValuesView[Any]:
        return self._items.values()

    def items(self) -> ItemsView[str, Any]:
        return self._items.items()

    def as_dict(self) -> dict[str, Any]:
        return dict(self._items)

    def persist(self) -> None:
        """Kept for wandb scripts: every change is already recorded in the run as it is made."""

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Config):
            return self._items == other._items
        return isinstance(other, Mapping) and self._items == dict(other)

    def __repr__(self) -> str:
        return f"Config({self._items!r})"

    # pickling/copy use __dict__-less state
    def __getstate__(self) -> dict:
        return dict(self._items)

    def __setstate__(self, state: dict) -> None:
        object.__setattr__(self, "_items", dict(state))
        object.__setattr__(self, "_sink", None)
        object.__setattr__(self, "_allow_val_change", False)
