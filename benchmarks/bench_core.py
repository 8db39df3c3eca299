"""rnn_core figures, printed in one run (medians over several rounds).

    python benchmarks/bench_core.py [--quick]

| figure | target |
|---|---|
| epoch, minibatch 32, float32: rnnlab / torch | <= 0.3 |
| epoch, float64: rnnlab / matrix-product floor | <= 1.5 |
| time to val RMSE <= 1e-3: rnnlab / torch | <= 0.7 |
| final val RMSE, modern preset, median of 5 seeds | <= 1e-4 |
| single-window predict: rnnlab / torch | <= 0.5 |

The floor of a float64 epoch is the time of the (B, H) @ (H, H) products alone: T - 1 forward
and T - 1 backward per training batch (h_0 = 0 makes the first forward product and the last
backward one unnecessary) and T - 1 forward for the validation windows, all into preallocated
outputs. The torch model is nn.RNN(1, H, tanh, batch_first) + nn.Linear, started from the same
weights, trained with the same Adam, schedule, clipping, batches and per-epoch validation.

Both libraries get one thread (OPENBLAS_NUM_THREADS=1, torch.set_num_threads(1)) unless
RNNLAB_BENCH_THREADS says otherwise: the server trains one run per core, and on matrices this
small a second BLAS thread costs more in synchronisation than it gives (6x slower epochs on a
busy two-core machine).
"""

from __future__ import annotations

import dataclasses
import math
import os
import statistics
import sys
import time
from pathlib import Path

THREADS = os.environ.get("RNNLAB_BENCH_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", THREADS)  # read when numpy loads OpenBLAS

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rnn_core.optim import learning_rate  # noqa: E402
from rnn_core.predict import predict  # noqa: E402
from rnn_core.train import PRESETS, Trainer, fit  # noqa: E402

MODERN = PRESETS["modern"]


def epoch_seconds(config, epochs: int) -> float:
    """Median wall time of one epoch (after two warm-up epochs)."""
    trainer = Trainer(dataclasses.replace(config, epochs=epochs + 2))
    times = []
    gen = trainer.epochs()
    next(gen), next(gen)
    for _ in range(epochs):
        start = time.perf_counter()
        next(gen)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor_seconds(config, rounds: int) -> float:
    """The (B, H) @ (H, H) products of one epoch, alone."""
    d, H, T = config.data, config.hidden_size, config.data.seq_len
    dtype = np.dtype(config.dtype)
    n_train = d.n_points - T - d.val_windows
    sizes = [min(config.batch_size, n_train - i) for i in range(0, n_train, config.batch_size)]
    rng = np.random.default_rng(0)
    W = rng.normal(size=(H, H)).astype(dtype)
    bufs = {
        b: (rng.normal(size=(b, H)).astype(dtype), np.empty((b, H), dtype))
        for b in {*sizes, d.val_windows}
    }
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for b in sizes:
            h, out = bufs[b]
            for _ in range(2 * (T - 1)):  # forward and backward
                np.matmul(h, W, out=out)
        h, out = bufs[d.val_windows]
        for _ in range(T - 1):
            np.matmul(h, W, out=out)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def seconds_to_rmse(config, target: float = 1e-3) -> tuple[float, int]:
    start = time.perf_counter()
    trainer = Trainer(config)
    for result in trainer.epochs():
        if result.val_rmse <= target:
            return time.perf_counter() - start, result.epoch
    return math.inf, trainer.epoch


class TorchRun:
    """The same model, data, optimizer and batches in PyTorch."""

    def __init__(self, config, torch) -> None:
        self.torch, self.config = torch, config
        nn = torch.nn
        trainer = Trainer(config)  # same data and the same initial weights
        p = trainer.params
        H = config.hidden_size
        self.dtype = torch.float32 if config.dtype == "float32" else torch.float64
        self.rnn = nn.RNN(1, H, nonlinearity="tanh", batch_first=True).to(self.dtype)
        self.head = nn.Linear(H, 1).to(self.dtype)
        with torch.no_grad():
            self.rnn.weight_ih_l0.copy_(torch.from_numpy(p["W_xh"].T.copy()))
            self.rnn.weight_hh_l0.copy_(torch.from_numpy(p["W_hh"].T.copy()))
            self.rnn.bias_ih_l0.copy_(torch.from_numpy(p["b_h"].copy()))
            self.rnn.bias_hh_l0.zero_()
            self.head.weight.copy_(torch.from_numpy(p["W_hy"].T.copy()))
            self.head.bias.copy_(torch.from_numpy(p["b_y"].copy()))
        ds = trainer.dataset
        as_t = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=config.dtype))  # noqa: E731
        self.X, self.y = as_t(ds.X_train), as_t(ds.y_train)
        self.X_val, self.y_val = as_t(ds.X_val), as_t(ds.y_val)
        self.params = [*self.rnn.parameters(), *self.head.parameters()]
        self.opt = torch.optim.Adam(self.params, lr=config.learning_rate)
        self.rng = np.random.default_rng(config.seed)
        self.epoch = 0

    def model(self, X):
        out, _ = self.rnn(X)
        return self.head(out[:, -1])

    def run_epoch(self) -> float:
        torch, cfg = self.torch, self.config
        for group in self.opt.param_groups:
            group["lr"] = learning_rate(cfg.lr_schedule, cfg.learning_rate, self.epoch, cfg.epochs)
        order = torch.from_numpy(self.rng.permutation(len(self.y)))
        for first in range(0, len(self.y), cfg.batch_size):
            idx = order[first : first + cfg.batch_size]
            self.opt.zero_grad()
            loss = torch.mean((self.model(self.X[idx]) - self.y[idx]) ** 2)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(self.params, cfg.clip_norm)
            self.opt.step()
        self.epoch += 1
        with torch.no_grad():
            return float(torch.sqrt(torch.mean((self.model(self.X_val) - self.y_val) ** 2)))


def torch_epoch_seconds(config, torch, epochs: int) -> float:
    run = TorchRun(dataclasses.replace(config, epochs=epochs + 2), torch)
    run.run_epoch(), run.run_epoch()
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        run.run_epoch()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def torch_seconds_to_rmse(config, torch, target: float = 1e-3) -> tuple[float, int]:
    start = time.perf_counter()
    run = TorchRun(config, torch)
    while run.epoch < config.epochs:
        if run.run_epoch() <= target:
            return time.perf_counter() - start, run.epoch
    return math.inf, run.epoch


def median_call_seconds(fn, calls: int = 2000, rounds: int = 5) -> float:
    fn()
    out = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        out.append((time.perf_counter() - start) / calls)
    return statistics.median(out)


def line(name: str, value: str, target: str = "") -> None:
    print(f"{name:<52} {value:<34} {target}", flush=True)


def main() -> None:
    quick = "--quick" in sys.argv
    rounds, epochs = (3, 10) if quick else (5, 40)
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(int(THREADS))
    print(
        f"numpy {np.__version__}; torch {torch.__version__ if torch else 'not importable'}; "
        f"OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; "
        f"torch threads {torch.get_num_threads() if torch else '-'}; "
        f"modern preset: hidden {MODERN.hidden_size}, batch {MODERN.batch_size}, "
        f"{MODERN.epochs} epochs, {MODERN.dtype}"
    )

    f32 = dataclasses.replace(MODERN, dtype="float32")
    f64 = dataclasses.replace(MODERN, dtype="float64")
    e32 = statistics.median(epoch_seconds(f32, epochs) for _ in range(rounds))
    e64 = statistics.median(epoch_seconds(f64, epochs) for _ in range(rounds))
    floor64 = floor_seconds(f64, rounds * epochs)
    floor32 = floor_seconds(f32, rounds * epochs)
    line("epoch, float32 (rnnlab)", f"{e32 * 1e3:.2f} ms")
    line("epoch, float64 (rnnlab)", f"{e64 * 1e3:.2f} ms")
    line("matrix-product floor, float64 / float32", f"{floor64 * 1e3:.2f} / {floor32 * 1e3:.2f} ms")
    line("epoch, float64: rnnlab / floor", f"{e64 / floor64:.2f}", "(target <= 1.5)")
    line("epoch, float32: rnnlab / floor", f"{e32 / floor32:.2f}", "(no target)")
    if torch is not None:
        t32 = statistics.median(torch_epoch_seconds(f32, torch, epochs) for _ in range(rounds))
        line("epoch, float32 (torch)", f"{t32 * 1e3:.2f} ms")
        line("epoch, minibatch 32, float32: rnnlab / torch", f"{e32 / t32:.3f}", "(target <= 0.3)")

    ours = [seconds_to_rmse(MODERN) for _ in range(rounds)]
    s_ours = statistics.median(s for s, _ in ours)
    line("time to val RMSE <= 1e-3 (rnnlab)", f"{s_ours:.3f} s (epoch {ours[0][1]})")
    if torch is not None:
        theirs = [torch_seconds_to_rmse(MODERN, torch) for _ in range(rounds)]
        s_theirs = statistics.median(s for s, _ in theirs)
        line("time to val RMSE <= 1e-3 (torch)", f"{s_theirs:.3f} s (epoch {theirs[0][1]})")
        line(
            "time to val RMSE <= 1e-3: rnnlab / torch",
            f"{s_ours / s_theirs:.3f}",
            "(target <= 0.7)",
        )

    start = time.perf_counter()
    results = [fit(dataclasses.replace(MODERN, seed=seed)) for seed in range(5)]
    finals = [r.history[-1].val_rmse for r in results]
    line("final val RMSE, seeds 0-4", " ".join(f"{v:.2e}" for v in finals))
    line(
        "final val RMSE, median of 5 seeds", f"{statistics.median(finals):.3e}", "(target <= 1e-4)"
    )
    line("modern preset, one full run", f"{(time.perf_counter() - start) / 5:.2f} s")

    params = results[0].params
    window = np.sin(np.arange(150, 200, dtype=np.float64))[None, :]  # (1, T)
    p_ours = median_call_seconds(lambda: predict(params, window, MODERN.activation))
    line("single-window predict (rnnlab)", f"{p_ours * 1e6:.1f} us")
    if torch is not None:
        run = TorchRun(MODERN, torch)
        x = torch.from_numpy(window[:, :, None].astype(MODERN.dtype))

        def torch_predict():
            with torch.inference_mode():
                return run.model(x)

        p_theirs = median_call_seconds(torch_predict)
        line("single-window predict (torch)", f"{p_theirs * 1e6:.1f} us")
        line("single-window predict: rnnlab / torch", f"{p_ours / p_theirs:.3f}", "(target <= 0.5)")


if __name__ == "__main__":
    main()
