"""Training: presets, the Trainer (one epoch per step of a generator), early stopping, fit().

Batch size 1 is the tutorial's SGD: one update per window, windows in order. Larger batches
are drawn in a fresh order each epoch from the run's seeded generator. An epoch's learning rate
comes from `lr_schedule` at that epoch.
"""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass

import numpy as np

from rnn_core.config import (
    LIMITS,
    ConfigError,
    DataConfig,
    TrainConfig,
    config_from_dict,
    config_to_dict,
)
from rnn_core.data import Dataset, series_dataset, sine_dataset, windows
from rnn_core.model import PARAM_NAMES, Workspace, act_grad, init_params
from rnn_core.optim import clip_by_global_norm, learning_rate, make_optimizer
from rnn_core.predict import chunk_size, predict

__all__ = [
    "LIMITS",
    "PRESETS",
    "ConfigError",
    "DataConfig",
    "EpochResult",
    "TrainConfig",
    "Trainer",
    "TrainingDiverged",
    "TrainResult",
    "config_from_dict",
    "config_to_dict",
    "dataset_for",
    "estimate_memory_bytes",
    "fit",
]

SATURATED = 1e-6  # an activation whose derivative is below this passes no gradient back

PRESETS = {
    # The tutorial's setup, with correct gradients: it saturates and cannot learn (see DESIGN.md).
    "tutorial": TrainConfig(
        hidden_size=100,
        activation="sigmoid",
        init="uniform01",
        optimizer="sgd",
        learning_rate=1e-4,
        lr_schedule="constant",
        momentum=0.0,
        batch_size=1,
        truncate=5,
        clip_value=10.0,
        clip_norm=None,
        epochs=25,
        seed=0,
        dtype="float64",
        early_stopping_patience=None,
    ),
    "modern": TrainConfig(),
}


class TrainingDiverged(RuntimeError):
    """The loss became NaN or infinite; the message says at which epoch."""


@dataclass(frozen=True)
class EpochResult:
    """One epoch's figures.

    train_loss is the mean of the epoch's batch losses (before each update), val_loss the loss on
    the validation windows after the epoch, both in model units; val_rmse is in the user's units.
    grad_norms holds each parameter's gradient norm in the epoch's last update (before clipping).
    saturation is the fraction of validation hidden activations inside the backpropagation window
    (the last `truncate` steps, or all) whose derivative is below 1e-6.
    """

    epoch: int
    train_loss: float
    val_loss: float
    val_rmse: float
    lr: float
    grad_norms: dict[str, float]
    saturation: float
    seconds: float

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class TrainResult:
    history: list[EpochResult]
    params: dict[str, np.ndarray]
    best_epoch: int | None


def dataset_for(config: TrainConfig) -> Dataset:
    """The run's data: the user's series if given, else the generated wave (seeded by config.seed)."""
    d = config.data
    if d.series is not None:
        return series_dataset(d.series, d.seq_len, d.val_windows, d.scale)
    return sine_dataset(d.n_points, d.seq_len, d.val_windows, d.noise, d.kind, config.seed)


def estimate_memory_bytes(config: TrainConfig) -> int:
    """A rough upper estimate of the memory a run needs while training, in bytes."""
    d = config.data
    n = len(d.series) if d.series is not None else d.n_points
    T, H = d.seq_len, config.hidden_size
    itemsize = np.dtype(config.dtype).itemsize
    n_val = d.val_windows
    B = min(config.batch_size, max(1, n - T - n_val))
    k = T if config.truncate is None else min(config.truncate, T)
    train = (T + 1) * B * (H + 2) + 2 * k * B * H + B * T  # states, dA and act', the batch
    val = min(n_val, chunk_size(T, H, itemsize)) * (T + 1) * (H + 3) * 2  # states and act'
    params = 8 * (H * H + 3 * H + 2)  # weights, grads, optimizer state, best and last copies
    series = 3 * n
    return int(itemsize * (2 * train + val + params) + 8 * series + 16 * 2**20)


def _flat_views(arrays: dict, dtype) -> tuple[np.ndarray, dict]:
    """One contiguous vector and a dict of views into it, filled from `arrays`."""
    flat = np.empty(sum(a.size for a in arrays.values()), dtype)
    views, i = {}, 0
    for name in PARAM_NAMES:
        a = arrays[name]
        views[name] = flat[i : i + a.size].reshape(a.shape)
        views[name][...] = a
        i += a.size
    return flat, views


class Trainer:
    """Trains one run; `epochs()` yields an EpochResult per epoch.

    Attributes
    ----------
    config : TrainConfig
    dataset : Dataset
    params : dict of ndarray
        The current model. Updated in place (keys never change); use `snapshot_params()` for a
        consistent copy from another thread.
    epoch : int
        Epochs done.
    best_epoch : int or None
        The epoch with the lowest val loss so far.
    """

    def __init__(self, config: TrainConfig) -> None:
        if not isinstance(config, TrainConfig):
            raise TypeError(f"config must be a TrainConfig, got {type(config).__name__}")
        self.config = config
        self.dataset = dataset_for(config)
        self._dtype = np.dtype(config.dtype)
        self._rng = np.random.default_rng(config.seed)
        H = config.hidden_size
        init = init_params(1, H, 1, config.init, self._rng, self._dtype)
        # params and grads are views of one vector each: the optimizer and clipping run on it whole
        self._flat, self.params = _flat_views(init, self._dtype)
        self._grad_flat, self._grads = _flat_views(init, self._dtype)
        self._best_flat = self._flat.copy()
        self._last_good = self._flat.copy()
        self._optimizer = make_optimizer(config.optimizer, config.momentum)
        series = self.dataset.series.astype(self._dtype)
        X, y = windows(series, self.dataset.seq_len)
        n_train = self.dataset.n_train
        self._X_train, self._y_train = X[:n_train], y[:n_train]
        self._X_val, self._y_val = X[n_train:], y[n_train:]
        self._workspaces: dict[tuple[int, bool], Workspace] = {}
        self.epoch = 0
        self.best_epoch: int | None = None
        self._best_val = math.inf
        self._since_best = 0

    # --- reads, safe from another thread ------------------------------------------------------

    def snapshot_params(self) -> dict[str, np.ndarray]:
        """A copy of the current parameters."""
        return {name: p.copy() for name, p in self.params.items()}

    def predictions(self, split: str) -> dict:
        """{"index", "truth", "prediction"} for "train" or "val", in user units, current params."""
        if split not in ("train", "val"):
            raise ValueError(f"split must be 'train' or 'val', got {split!r}")
        X = self.dataset.X_train if split == "train" else self.dataset.X_val
        with np.errstate(all="ignore"):
            prediction = self.dataset.scaler.inverse(
                predict(self.snapshot_params(), X, self.config.activation)
            )
        return {
            "index": self.dataset.target_index(split).tolist(),
            "truth": self.dataset.truth(split).tolist(),
            "prediction": prediction.tolist(),
        }

    def restore_best(self) -> None:
        """Put back the weights of the best epoch so far (a no-op before the first epoch)."""
        if self.best_epoch is not None:
            np.copyto(self._flat, self._best_flat)

    # --- training ------------------------------------------------------------------------------

    def epochs(self):
        """Yield an EpochResult per epoch until `config.epochs` or early stopping.

        The caller stops by not asking for more. When the generator runs to its end and early
        stopping is on, the best weights are restored (a caller that stops early can call
        `restore_best()`). A non-finite loss raises TrainingDiverged, with `params` left at the
        last finite epoch.
        """
        patience = self.config.early_stopping_patience
        while self.epoch < self.config.epochs:
            result = self._run_epoch()
            yield result
            if patience is not None and self._since_best >= patience:
                break
        if patience is not None:
            self.restore_best()

    def _workspace(self, B: int, backward: bool = True) -> Workspace:
        key = (B, backward)
        if key not in self._workspaces:
            H, T = self.config.hidden_size, self.dataset.seq_len
            self._workspaces[key] = Workspace(
                B, T, 1, H, 1, self._dtype, self.config.activation, self.config.truncate, backward
            )
        return self._workspaces[key]

    def _run_epoch(self) -> EpochResult:
        start = time.perf_counter()
        cfg = self.config
        lr = learning_rate(cfg.lr_schedule, cfg.learning_rate, self.epoch, cfg.epochs)
        np.copyto(self._last_good, self._flat)
        with np.errstate(all="ignore"):
            train_loss, grad_norms = self._train_one_epoch(lr)
            val_loss, saturation = self._validate()
        self.epoch += 1
        for name, value in (("train", train_loss), ("val", val_loss)):
            if not math.isfinite(value):
                np.copyto(self._flat, self._last_good)
                raise TrainingDiverged(f"diverged at epoch {self.epoch}: {name} loss is not finite")
        if val_loss < self._best_val:
            self._best_val, self.best_epoch, self._since_best = val_loss, self.epoch, 0
            np.copyto(self._best_flat, self._flat)
        else:
            self._since_best += 1
        return EpochResult(
            epoch=self.epoch,
            train_loss=train_loss,
            val_loss=val_loss,
            val_rmse=math.sqrt(val_loss) * self.dataset.scaler.scale,
            lr=lr,
            grad_norms=grad_norms,
            saturation=saturation,
            seconds=time.perf_counter() - start,
        )

    def _train_one_epoch(self, lr: float) -> tuple[float, dict[str, float]]:
        cfg = self.config
        n, B = len(self._y_train), cfg.batch_size
        order = np.arange(n) if B == 1 else self._rng.permutation(n)
        params, grads = self.params, self._grads
        flat = {"all": self._flat}
        flat_grad = {"all": self._grad_flat}
        total = 0.0
        grad_norms: dict[str, float] = {}
        for first in range(0, n, B):
            idx = order[first : first + B]
            ws = self._workspace(len(idx))
            ws.forward(params, self._X_train[idx])
            total += ws.backward(params, self._y_train[idx], grads) * len(idx)
            if first + B >= n:  # the epoch's last update: report its raw gradient norms
                grad_norms = {name: float(np.linalg.norm(g)) for name, g in grads.items()}
            if cfg.clip_value is not None:
                np.clip(self._grad_flat, -cfg.clip_value, cfg.clip_value, out=self._grad_flat)
            if cfg.clip_norm is not None:
                clip_by_global_norm(flat_grad, cfg.clip_norm)
            self._optimizer.step(flat, flat_grad, lr)
        return total / n, grad_norms

    def _validate(self) -> tuple[float, float]:
        """Val loss (model units) and the saturation of the val hidden states."""
        X, y = self._X_val, self._y_val
        N, T = len(y), self.dataset.seq_len
        H = self.config.hidden_size
        k = T if self.config.truncate is None else min(self.config.truncate, T)
        step = chunk_size(T, H, self._dtype.itemsize)
        sq_err, saturated = 0.0, 0
        for first in range(0, N, step):
            ws = self._workspace(min(step, N - first), backward=False)
            diff = ws.forward(self.params, X[first : first + ws.B]) - y[first : first + ws.B]
            sq_err += float(np.vdot(diff, diff))
            d = act_grad(ws.hidden[T - k :], self.config.activation)  # (k, B, H)
            saturated += int(np.count_nonzero(d < SATURATED))
        return sq_err / N, saturated / (N * k * H)


def fit(config: TrainConfig, on_epoch=None) -> TrainResult:
    """Train to the end; `on_epoch(result)` is called after each epoch and may return False to stop."""
    trainer = Trainer(config)
    history: list[EpochResult] = []
    for result in trainer.epochs():
        history.append(result)
        if on_epoch is not None and on_epoch(result) is False:
            if config.early_stopping_patience is not None:
                trainer.restore_best()
            break
    return TrainResult(history, trainer.snapshot_params(), trainer.best_epoch)
