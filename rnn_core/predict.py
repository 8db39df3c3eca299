"""Predictions from trained parameters: one step for a batch of windows, and forecasts that feed
the model's own predictions back.

Bad input (empty, non-finite, wrong shape) raises ValueError. A non-finite *output* (a model
that overflows) is returned as is: callers decide how to show it.
"""

from __future__ import annotations

import warnings

import numpy as np

from rnn_core.model import Workspace

MAX_STEPS = 100_000  # a forecast is sequential: one forward pass per step
CHUNK_BYTES = 32 * 2**20  # windows are run through the model in chunks of about this much state


def _warn_if_not_finite(out: np.ndarray, what: str) -> np.ndarray:
    """Overflow is returned (callers show it as null), but never silently."""
    bad = int(np.count_nonzero(~np.isfinite(out)))
    if bad:
        warnings.warn(
            f"{what}: {bad} of {out.size} values are not finite (overflow)",
            RuntimeWarning,
            stacklevel=3,
        )
    return out


def _check_finite(x: np.ndarray, what: str) -> None:
    if x.size == 0:
        raise ValueError(f"{what} is empty")
    if not np.all(np.isfinite(x)):
        raise ValueError(f"{what} must hold finite numbers only (no NaN or infinity)")


def _as_windows(windows, D: int) -> np.ndarray:
    try:
        X = np.asarray(windows, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("windows must be a rectangular array of numbers") from None
    if X.ndim == 2 and D == 1:
        X = X[:, :, None]
    if X.ndim != 3 or X.shape[2] != D:
        raise ValueError(f"windows must have shape (N, T) or (N, T, {D}), got {X.shape}")
    _check_finite(X, "windows")
    return X


def chunk_size(T: int, H: int, itemsize: int) -> int:
    """How many windows of T steps fit in one forward chunk of about CHUNK_BYTES."""
    return max(1, CHUNK_BYTES // ((T + 1) * (H + 3) * itemsize))


def _forward_all(params, X: np.ndarray, activation: str) -> np.ndarray:
    """Model-unit predictions, shape (N,), for model-unit windows X (N, T, D)."""
    N, T, D = X.shape
    H, O = params["W_hy"].shape
    dtype = params["W_hh"].dtype
    out = np.empty(N, dtype=np.float64)
    step = chunk_size(T, H, dtype.itemsize)
    ws = None
    for start in range(0, N, step):
        chunk = X[start : start + step]
        if ws is None or len(chunk) != ws.B:
            ws = Workspace(len(chunk), T, D, H, O, dtype, activation, backward=False)
        out[start : start + len(chunk)] = ws.forward(params, chunk)[:, 0]
    return out


def predict(params, windows, activation="tanh", scaler=None) -> np.ndarray:
    """One-step predictions.

    Parameters
    ----------
    params : dict of ndarray
    windows : array_like, shape (N, T) or (N, T, D)
        N windows of T values, in user units when `scaler` is given (model units otherwise).
    scaler : rnn_core.data.Scaler, optional

    Returns
    -------
    ndarray, shape (N,)
        The value after each window, in the same units as `windows`.
    """
    X = _as_windows(windows, params["W_xh"].shape[0])
    with np.errstate(over="ignore", invalid="ignore"):
        if scaler is not None:
            X = scaler.transform(X)
        y = _forward_all(params, X, activation)
        return _warn_if_not_finite(scaler.inverse(y) if scaler is not None else y, "predict")


def forecast(params, series, steps, activation="tanh", seq_len=None, scaler=None) -> np.ndarray:
    """Extend a series by `steps` values, each predicted from a window ending with the previous
    predictions.

    Parameters
    ----------
    series : array_like, shape (n,)
        The known values (user units when `scaler` is given).
    steps : int
        How many values to predict, >= 1.
    seq_len : int, optional
        The window length: the last `seq_len` values are used (n must be at least that). None uses
        the whole series as the window and then carries the hidden state forward.

    Returns
    -------
    ndarray, shape (steps,)
        The first value equals `predict(params, [window])[0]`.
    """
    try:
        s = np.asarray(series, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("series must be a list of numbers") from None
    if s.ndim != 1:
        raise ValueError(f"series must be one-dimensional, got shape {s.shape}")
    _check_finite(s, "series")
    if (
        isinstance(steps, bool)
        or not isinstance(steps, int | np.integer)
        or not 1 <= steps <= MAX_STEPS
    ):
        raise ValueError(f"steps must be an integer in [1, {MAX_STEPS}], got {steps!r}")
    if seq_len is not None:
        if len(s) < seq_len:
            raise ValueError(f"series needs at least seq_len = {seq_len} values, got {len(s)}")
        s = s[len(s) - seq_len :]
    D, H = params["W_xh"].shape
    if D != 1:
        raise ValueError("forecast needs a model with one input feature")
    O, dtype = params["W_hy"].shape[1], params["W_hh"].dtype
    out = np.empty(steps, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        z = scaler.transform(s) if scaler is not None else s.copy()  # (T,), model units
        T = len(z)
        ws = Workspace(1, T, 1, H, O, dtype, activation, backward=False)
        out[0] = ws.forward(params, z[None, :, None])[0, 0]
        if seq_len is None:  # the window grows: carry h_T on, one step per new value
            step = Workspace(1, 1, 1, H, O, dtype, activation, backward=False)
            h = ws.hidden[-1]  # (1, H)
            x = np.empty((1, 1, 1))
            for i in range(1, steps):
                x[0, 0, 0] = out[i - 1]
                out[i] = step.forward(params, x, h0=h)[0, 0]
                h = step.hidden[-1]
        else:  # a sliding window: the hidden state restarts from 0 at its first value
            for i in range(1, steps):
                z[:-1] = z[1:]
                z[-1] = out[i - 1]
                out[i] = ws.forward(params, z[None, :, None])[0, 0]
        return _warn_if_not_finite(scaler.inverse(out) if scaler is not None else out, "forecast")
