"""Run configuration: DataConfig and TrainConfig, validated on construction, to and from JSON.

`rnn_core.train` re-exports everything here; import it from there.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from rnn_core.data import KINDS, SCALES, check_sizes
from rnn_core.model import ACTIVATIONS, INITS
from rnn_core.optim import SCHEDULES

# The documented limits, (low, high). learning_rate, clip_value and clip_norm exclude their low
# end (0); momentum excludes its high end (1). The server's request schemas quote the same ones.
LIMITS: dict[str, tuple[float, float]] = {
    "hidden_size": (1, 512),
    "learning_rate": (0.0, 10.0),
    "momentum": (0.0, 1.0),
    "batch_size": (1, 4096),
    "truncate": (1, 1000),
    "clip_value": (0.0, 1e6),
    "clip_norm": (0.0, 1e6),
    "epochs": (1, 100_000),
    "seed": (0, 2**32 - 1),
    "early_stopping_patience": (1, 100_000),
    "data.n_points": (2, 100_000),
    "data.seq_len": (1, 1000),
    "data.val_windows": (1, 100_000),
    "data.noise": (0.0, 10.0),
    "data.series": (3, 100_000),  # length
}
_OPEN_LOW = {"learning_rate", "clip_value", "clip_norm"}
_OPEN_HIGH = {"momentum"}
DTYPES = ("float64", "float32")
OPTIMIZERS = ("sgd", "adam")


class ConfigError(ValueError):
    """A config value out of its documented range; `field` names it ("hidden_size", "data.seq_len")."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _int(obj, name: str, key: str, optional: bool = False) -> None:
    value = getattr(obj, name)
    if optional and value is None:
        return
    lo, hi = LIMITS[key]
    ok = isinstance(value, int | np.integer) and not isinstance(value, bool) and lo <= value <= hi
    if not ok:
        none = " or null" if optional else ""
        raise ConfigError(key, f"{key} must be an integer in [{lo}, {hi}]{none}, got {value!r}")
    object.__setattr__(obj, name, int(value))


def _float(obj, name: str, key: str, optional: bool = False) -> None:
    value = getattr(obj, name)
    if optional and value is None:
        return
    lo, hi = LIMITS[key]
    left, right = ("(" if key in _OPEN_LOW else "["), (")" if key in _OPEN_HIGH else "]")
    ok = isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)
    if ok:
        v = float(value)
        ok = math.isfinite(v) and (v > lo if left == "(" else v >= lo)
        ok = ok and (v < hi if right == ")" else v <= hi)
    if not ok:
        none = " or null" if optional else ""
        raise ConfigError(
            key,
            f"{key} must be a finite number in {left}{lo:g}, {hi:g}{right}{none}, got {value!r}",
        )
    object.__setattr__(obj, name, float(value))


def _choice(obj, name: str, key: str, choices: tuple[str, ...]) -> None:
    value = getattr(obj, name)
    if value not in choices or not isinstance(value, str):
        raise ConfigError(key, f"{key} must be one of {', '.join(choices)}, got {value!r}")


@dataclass(frozen=True)
class DataConfig:
    """The series to learn. With `series` set (the user's own values), `kind` and `n_points` are
    ignored and the series is scaled by `scale`."""

    kind: str = "sine"
    n_points: int = 200
    seq_len: int = 50
    val_windows: int = 50
    noise: float = 0.0
    series: tuple[float, ...] | None = None
    scale: str = "minmax"

    def __post_init__(self) -> None:
        _choice(self, "kind", "data.kind", KINDS)
        _int(self, "n_points", "data.n_points")
        _int(self, "seq_len", "data.seq_len")
        _int(self, "val_windows", "data.val_windows")
        _float(self, "noise", "data.noise")
        _choice(self, "scale", "data.scale", SCALES)
        n = self.n_points
        if self.series is not None:
            lo, hi = LIMITS["data.series"]
            try:
                values = np.asarray(self.series, dtype=np.float64)
            except (TypeError, ValueError):
                values = None
            if values is None or values.ndim != 1 or not np.all(np.isfinite(values)):
                raise ConfigError("data.series", "data.series must be a list of finite numbers")
            if not lo <= len(values) <= hi:
                raise ConfigError(
                    "data.series", f"data.series must hold {lo} to {hi} values, got {len(values)}"
                )
            object.__setattr__(self, "series", tuple(values.tolist()))
            n = len(values)
        try:
            check_sizes(n, self.seq_len, self.val_windows)
        except ValueError as exc:
            raise ConfigError("data", f"data: {exc}") from None


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a run. The defaults are the "modern" preset."""

    hidden_size: int = 32
    activation: str = "tanh"
    init: str = "xavier"
    optimizer: str = "adam"
    learning_rate: float = 1e-2
    lr_schedule: str = "cosine"
    momentum: float = 0.0  # SGD only
    batch_size: int = 32
    truncate: int | None = None
    clip_value: float | None = None
    clip_norm: float | None = 0.03  # small: steadies Adam's late steps (final RMSE ~6e-5 vs ~5e-4)
    epochs: int = 400
    seed: int = 0
    dtype: str = "float32"  # float32 tanh is vectorised; float64 tanh costs ~6x per element here
    early_stopping_patience: int | None = None
    data: DataConfig = field(default_factory=DataConfig)

    def __post_init__(self) -> None:
        _int(self, "hidden_size", "hidden_size")
        _choice(self, "activation", "activation", ACTIVATIONS)
        _choice(self, "init", "init", INITS)
        _choice(self, "optimizer", "optimizer", OPTIMIZERS)
        _float(self, "learning_rate", "learning_rate")
        _choice(self, "lr_schedule", "lr_schedule", SCHEDULES)
        _float(self, "momentum", "momentum")
        _int(self, "batch_size", "batch_size")
        _int(self, "truncate", "truncate", optional=True)
        _float(self, "clip_value", "clip_value", optional=True)
        _float(self, "clip_norm", "clip_norm", optional=True)
        _int(self, "epochs", "epochs")
        _int(self, "seed", "seed")
        _choice(self, "dtype", "dtype", DTYPES)
        _int(self, "early_stopping_patience", "early_stopping_patience", optional=True)
        if not isinstance(self.data, DataConfig):
            raise ConfigError("data", f"data must be a DataConfig, got {type(self.data).__name__}")


def config_to_dict(config: TrainConfig) -> dict:
    """A JSON-ready dict (the data series as a list, or None)."""
    out = dataclasses.asdict(config)
    series = out["data"]["series"]
    out["data"]["series"] = None if series is None else list(series)
    return out


def _check_keys(d, cls, prefix: str) -> None:
    if not isinstance(d, dict):
        name = prefix.rstrip(".") or "config"
        raise ConfigError(name, f"{name} must be an object, got {type(d).__name__}")
    known = {f.name for f in dataclasses.fields(cls)}
    for key in d:
        if key not in known:
            raise ConfigError(f"{prefix}{key}", f"unknown field {prefix}{key!s}")


def config_from_dict(d: dict) -> TrainConfig:
    """The inverse of config_to_dict; missing keys take the TrainConfig defaults.

    Raises ConfigError (a ValueError) naming the first bad or unknown field.
    """
    _check_keys(d, TrainConfig, "")
    values = dict(d)
    if "data" in values:
        data = values["data"]
        _check_keys(data, DataConfig, "data.")
        data = dict(data)
        if isinstance(data.get("series"), list):
            data["series"] = tuple(data["series"])
        values["data"] = DataConfig(**data)
    return TrainConfig(**values)
