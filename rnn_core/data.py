"""Series generators, windowing, the train/val split and scaling.

A series of n values gives n - seq_len windows: window i holds values i .. i+seq_len-1 and its
target is value i+seq_len. The first windows train, the last `val_windows` validate (no
shuffling across the split, so validation is always the future of training).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

KINDS = ("sine", "sum_of_sines", "sawtooth", "square")
SCALES = ("minmax", "standard", "none")


@dataclass(frozen=True)
class Scaler:
    """An affine map between user units and model units: z = (x - offset) / scale."""

    offset: float = 0.0
    scale: float = 1.0

    def __post_init__(self) -> None:
        if not (np.isfinite(self.offset) and np.isfinite(self.scale) and self.scale > 0):
            raise ValueError(
                f"scaler needs a finite offset and a finite scale > 0, got {self.offset}, {self.scale}"
            )

    def transform(self, x):
        """User units -> model units."""
        return (np.asarray(x) - self.offset) / self.scale

    def inverse(self, z):
        """Model units -> user units."""
        return np.asarray(z) * self.scale + self.offset


@dataclass(frozen=True)
class Dataset:
    """Windows over one scaled series, split in time.

    Attributes
    ----------
    X_train : ndarray, shape (N_tr, T, 1)
        Training windows (a read-only view of `series`; index a batch to copy it).
    y_train : ndarray, shape (N_tr, 1)
        The value following each training window.
    X_val, y_val : ndarray, shapes (N_val, T, 1) and (N_val, 1)
        The last `N_val` windows and their targets.
    series : ndarray, shape (n,)
        The full series in model (scaled) units.
    scaler : Scaler
        Maps model units back to the user's units.
    seq_len : int
        T, the window length.
    n_train : int
        N_tr, the number of training windows.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    series: np.ndarray
    scaler: Scaler
    seq_len: int
    n_train: int

    def target_index(self, split: str) -> np.ndarray:
        """Positions in `series` of the split's targets: window i's target sits at i + seq_len."""
        start, stop = self._bounds(split)
        return np.arange(start, stop) + self.seq_len

    def truth(self, split: str) -> np.ndarray:
        """The split's targets in user units, shape (N,)."""
        y = self.y_train if split == "train" else self.y_val
        self._bounds(split)
        return self.scaler.inverse(y[:, 0])

    def _bounds(self, split: str) -> tuple[int, int]:
        if split == "train":
            return 0, self.n_train
        if split == "val":
            return self.n_train, self.n_train + len(self.y_val)
        raise ValueError(f"split must be 'train' or 'val', got {split!r}")


def windows(series: np.ndarray, seq_len: int) -> tuple[np.ndarray, np.ndarray]:
    """All windows of a 1-D series and their targets, without copying.

    Returns
    -------
    X : ndarray, shape (n - seq_len, seq_len, 1)
        A read-only strided view of `series`.
    y : ndarray, shape (n - seq_len, 1)
    """
    X = np.lib.stride_tricks.sliding_window_view(series[:-1], seq_len)  # (N, T)
    return X[:, :, None], series[seq_len:, None]


def waveform(kind: str, n_points: int) -> np.ndarray:
    """A clean wave sampled at integer t = 0 .. n_points-1, values in [-1, 1]; shape (n_points,)."""
    t = np.arange(n_points, dtype=np.float64)
    if kind == "sine":
        return np.sin(t)
    if kind == "sum_of_sines":
        return 0.6 * np.sin(t) + 0.4 * np.sin(0.3 * t)
    if kind == "sawtooth":  # period 2*pi, like the sine
        return 2.0 * np.mod(t / (2 * np.pi), 1.0) - 1.0
    if kind == "square":
        return np.where(np.sin(t) >= 0, 1.0, -1.0)
    raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")


def sine_dataset(
    n_points: int = 200,
    seq_len: int = 50,
    val_windows: int = 50,
    noise: float = 0.0,
    kind: str = "sine",
    seed: int = 0,
) -> Dataset:
    """A generated wave (identity scaling), with optional Gaussian noise of std `noise`."""
    if not _is_int(n_points) or not 2 <= n_points <= MAX_POINTS:
        raise ValueError(f"n_points must be an integer in [2, {MAX_POINTS}], got {n_points!r}")
    if not _is_number(noise) or not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    if not _is_int(seed) or not 0 <= seed < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32 - 1], got {seed!r}")
    if not isinstance(kind, str):
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    check_sizes(n_points, seq_len, val_windows)
    values = waveform(kind, int(n_points))
    if noise > 0:
        values = values + np.random.default_rng(seed).normal(0.0, noise, size=n_points)
    return _split(values, seq_len, val_windows, Scaler())


def series_dataset(
    values, seq_len: int = 50, val_windows: int = 50, scale: str = "minmax"
) -> Dataset:
    """A user's own series, scaled to model units.

    Parameters
    ----------
    values : array_like, shape (n,)
        The series in the user's units; finite.
    scale : {"minmax", "standard", "none"}
        "minmax" maps [min, max] to [-1, 1]; "standard" to zero mean and unit variance. A constant
        series keeps scale 1 and only subtracts its level (no division by zero).
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"series must be one-dimensional, got shape {x.shape}")
    if not np.all(np.isfinite(x)):
        raise ValueError("series must hold finite numbers only (no NaN or infinity)")
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}")
    if x.size == 0:
        raise ValueError("series is empty")
    with np.errstate(over="ignore", invalid="ignore"):
        if scale == "minmax":
            lo, hi = float(x.min()), float(x.max())
            scaler = Scaler(lo / 2 + hi / 2, (hi / 2 - lo / 2) if hi > lo else 1.0)
        elif scale == "standard":
            std = float(x.std())
            scaler = Scaler(float(x.mean()), std if std > 0 else 1.0)
        else:
            scaler = Scaler()
        scaled = scaler.transform(x)
    if not (
        math.isfinite(scaler.offset) and math.isfinite(scaler.scale) and scaler.scale > 0
    ) or not np.all(np.isfinite(scaled)):
        raise ValueError(
            "series values span too wide a range to scale (overflow); rescale them first"
        )
    return _split(scaled, seq_len, val_windows, scaler)


MAX_POINTS = 100_000


def _is_int(value) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def check_sizes(n: int, seq_len: int, val_windows: int) -> None:
    """Raise ValueError unless a series of n values gives one train and one val window."""
    if isinstance(seq_len, bool) or not isinstance(seq_len, int | np.integer) or seq_len < 1:
        raise ValueError(f"seq_len must be an integer >= 1, got {seq_len!r}")
    if (
        isinstance(val_windows, bool)
        or not isinstance(val_windows, int | np.integer)
        or val_windows < 1
    ):
        raise ValueError(f"val_windows must be an integer >= 1, got {val_windows!r}")
    if n - seq_len < val_windows + 1:
        raise ValueError(
            f"a series of {n} values is too short: windows of {seq_len} with {val_windows} "
            f"for validation need at least {seq_len + val_windows + 1} values"
        )


def _split(series: np.ndarray, seq_len: int, val_windows: int, scaler: Scaler) -> Dataset:
    check_sizes(len(series), seq_len, val_windows)
    series = np.ascontiguousarray(series, dtype=np.float64)
    series.flags.writeable = False
    X, y = windows(series, seq_len)
    n_train = len(y) - val_windows
    return Dataset(
        X_train=X[:n_train],
        y_train=y[:n_train],
        X_val=X[n_train:],
        y_val=y[n_train:],
        series=series,
        scaler=scaler,
        seq_len=int(seq_len),
        n_train=int(n_train),
    )
