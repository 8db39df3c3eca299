"""A one-layer Elman RNN: parameter init, forward, and exact gradients (full or truncated BPTT).

    a_t = x_t W_xh + h_{t-1} W_hh + b_h        h_0 = 0
    h_t = act(a_t)                             t = 1 .. T
    y_hat = h_T W_hy + b_y                     loss = mean((y_hat - y) ** 2)

`Workspace` holds preallocated buffers so a training loop reuses them step after step. It keeps
the states time-major with the input and a constant 1 beside each hidden state,

    S[t] = [h_t | x_{t+1} | 1]                 (B, H + D + 1)

so that one product per step, S[t] @ [W_hh; W_xh; b_h], gives a_{t+1}, and one product over all
steps, S[:T].T @ dA, gives dW_hh, dW_xh and db_h together.
"""

from __future__ import annotations

import numpy as np

ACTIVATIONS = ("tanh", "sigmoid", "relu")
INITS = ("uniform01", "xavier", "normal")
PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")


def init_params(input_size, hidden_size, output_size, init="xavier", rng=None, dtype="float64"):
    """Fresh parameters.

    Parameters
    ----------
    init : {"uniform01", "xavier", "normal"}
        "uniform01": every weight from U(0, 1) (the tutorial's); "xavier": Xavier-uniform input
        and output weights, an orthogonal W_hh; "normal": N(0, 1 / fan_in). Biases start at 0.
    rng : numpy.random.Generator

    Returns
    -------
    dict with W_xh (D, H), W_hh (H, H), b_h (H,), W_hy (H, O), b_y (O,)
    """
    D, H, O = input_size, hidden_size, output_size
    rng = np.random.default_rng() if rng is None else rng
    if init == "uniform01":
        W_xh, W_hh, W_hy = (
            rng.uniform(0, 1, (D, H)),
            rng.uniform(0, 1, (H, H)),
            rng.uniform(0, 1, (H, O)),
        )
    elif init == "xavier":
        W_xh = rng.uniform(-1, 1, (D, H)) * np.sqrt(6 / (D + H))
        Q, R = np.linalg.qr(rng.normal(size=(H, H)))
        W_hh = Q * np.sign(np.diag(R))  # sign fix: uniform over orthogonal matrices
        W_hy = rng.uniform(-1, 1, (H, O)) * np.sqrt(6 / (H + O))
    elif init == "normal":
        W_xh = rng.normal(0, 1 / np.sqrt(D), (D, H))
        W_hh = rng.normal(0, 1 / np.sqrt(H), (H, H))
        W_hy = rng.normal(0, 1 / np.sqrt(H), (H, O))
    else:
        raise ValueError(f"init must be one of {', '.join(INITS)}, got {init!r}")
    params = {"W_xh": W_xh, "W_hh": W_hh, "b_h": np.zeros(H), "W_hy": W_hy, "b_y": np.zeros(O)}
    return {k: np.ascontiguousarray(v, dtype=dtype) for k, v in params.items()}


def _sigmoid_(a):
    """In place: sigmoid(a) = (1 + tanh(a / 2)) / 2, no overflow, exactly 1.0 for large a."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5


def _relu_(a):
    np.maximum(a, 0, out=a)


def _activate_inplace(activation: str):
    if activation == "tanh":
        return lambda a: np.tanh(a, out=a)
    if activation == "sigmoid":
        return _sigmoid_
    if activation == "relu":
        return _relu_
    raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")


def act_grad(h, activation: str, out=None):
    """The activation's derivative written in terms of its output h = act(a); same shape as h."""
    out = np.empty_like(h) if out is None else out
    if activation == "tanh":  # 1 - h^2
        np.multiply(h, h, out=out)
        np.subtract(1, out, out=out)
    elif activation == "sigmoid":  # h (1 - h)
        np.subtract(1, h, out=out)
        out *= h
    elif activation == "relu":  # 1 where h > 0
        np.greater(h, 0, out=out)
    else:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    return out


class Workspace:
    """Buffers for B windows of T steps, reused across calls (training reuses one per batch size).

    Parameters
    ----------
    B, T, D, H, O : int
        Batch, time steps, input, hidden and output sizes.
    activation : {"tanh", "sigmoid", "relu"}
    truncate : int or None
        Backpropagate through the last `truncate` steps only; None is full BPTT.
    backward : bool
        False allocates the forward buffers only (prediction, validation).
    """

    def __init__(self, B, T, D, H, O, dtype, activation, truncate=None, backward=True):
        self.B, self.T, self.D, self.H, self.O = B, T, D, H, O
        self.activation = activation
        self._act = _activate_inplace(activation)
        self.k = T if truncate is None else min(int(truncate), T)
        self.S = np.zeros((T + 1, B, H + D + 1), dtype)  # S[t] = [h_t | x_{t+1} | 1]
        self.S[:, :, H + D] = 1
        self.W = np.empty((H + D + 1, H), dtype)  # [W_hh; W_xh; b_h]
        self.y_hat = np.empty((B, O), dtype)
        if backward:
            self.dact = np.empty((self.k, B, H), dtype)  # act'(h_t) over the backprop window
            self.dA = np.empty((self.k, B, H), dtype)  # dL/da_t over the backprop window
            self.dh = np.empty((B, H), dtype)
            self.dy = np.empty((B, O), dtype)
            self.dW = np.empty((H + D + 1, H), dtype)  # [dW_hh; dW_xh; db_h]
            self.W_hhT = np.empty((H, H), dtype)

    @property
    def hidden(self):
        """The hidden states h_1 .. h_T of the last forward, time-major view (T, B, H)."""
        return self.S[1:, :, : self.H]

    def forward(self, params, X, h0=None):
        """y_hat (B, O) for windows X (B, T, D); h0 (B, H) optional initial state (default 0)."""
        S, W, H, D, T, act = self.S, self.W, self.H, self.D, self.T, self._act
        W[:H] = params["W_hh"]
        W[H : H + D] = params["W_xh"]
        W[H + D] = params["b_h"]
        S[:T, :, H : H + D] = X.transpose(1, 0, 2)  # (T, B, D)
        if h0 is None:  # h_0 = 0: the first step needs the input part only
            np.matmul(S[0, :, H:], W[H:], out=S[1, :, :H])  # (B, H)
        else:
            S[0, :, :H] = h0
            np.matmul(S[0], W, out=S[1, :, :H])
        act(S[1, :, :H])
        if self.B == 1:  # one window: np.dot on vectors has half the call overhead of matmul
            for t in range(1, T):
                h_t = S[t + 1, 0, :H]
                np.dot(S[t, 0], W, out=h_t)  # (H,)
                act(h_t)
        else:
            for t in range(1, T):
                h_t = S[t + 1, :, :H]
                np.matmul(
                    S[t], W, out=h_t
                )  # a_{t+1} = [h_t, x_{t+1}, 1] @ [W_hh; W_xh; b_h]  (B, H)
                act(h_t)
        np.matmul(S[T, :, :H], params["W_hy"], out=self.y_hat)  # (B, O)
        self.y_hat += params["b_y"]
        return self.y_hat

    def backward(self, params, y, grads):
        """Loss of the last forward against y (B, O); writes its gradient into `grads` arrays."""
        S, H, D, T, k = self.S, self.H, self.D, self.T, self.k
        dy, dh, dA, dact = self.dy, self.dh, self.dA, self.dact
        np.subtract(self.y_hat, y, out=dy)
        loss = float(np.vdot(dy, dy)) / dy.size
        dy *= 2.0 / dy.size  # dL/dy_hat  (B, O)
        h_T = S[T, :, :H]
        np.matmul(h_T.T, dy, out=grads["W_hy"])
        np.sum(dy, axis=0, out=grads["b_y"])
        np.matmul(dy, params["W_hy"].T, out=dh)  # dL/dh_T  (B, H)
        lo = T - k  # h_lo is treated as a constant: gradients flow through steps lo+1 .. T
        act_grad(S[lo + 1 :, :, :H], self.activation, out=dact)  # (k, B, H)
        np.copyto(self.W_hhT, params["W_hh"].T)
        for j in range(k - 1, -1, -1):  # dA[j] is dL/da at step lo+1+j
            np.multiply(dh, dact[j], out=dA[j])  # da_t = dh_t * act'(h_t)
            if j:
                np.matmul(dA[j], self.W_hhT, out=dh)  # dh_{t-1} = da_t @ W_hh.T
        # sum_t [h_{t-1}, x_t, 1].T @ da_t over the window, as one product
        Z = S[lo:T].reshape(k * self.B, H + D + 1)  # (k B, H + D + 1)
        np.matmul(Z.T, dA.reshape(k * self.B, H), out=self.dW)
        grads["W_hh"][...] = self.dW[:H]
        grads["W_xh"][...] = self.dW[H : H + D]
        grads["b_h"][...] = self.dW[H + D]
        return loss


def _shapes(params, X):
    X = np.asarray(X)
    if X.ndim != 3:
        raise ValueError(f"X must have shape (B, T, D), got {X.shape}")
    D, H = params["W_xh"].shape
    return X, X.shape[0], X.shape[1], D, H, params["W_hy"].shape[1]


def forward(params, X, activation="tanh", h0=None):
    """Run the RNN over a batch of windows.

    Parameters
    ----------
    params : dict of ndarray
    X : ndarray, shape (B, T, D)
        B windows of T time steps, D features each.
    h0 : ndarray, shape (B, H), optional
        Initial hidden state; zeros by default.

    Returns
    -------
    y_hat : ndarray, shape (B, O)
    cache : dict
        "h": hidden states h_1 .. h_T, shape (B, T, H); "X"; "activation".
    """
    X, B, T, D, H, O = _shapes(params, X)
    ws = Workspace(B, T, D, H, O, params["W_hh"].dtype, activation, backward=False)
    y_hat = ws.forward(params, X, h0).copy()
    cache = {"X": X, "h": ws.hidden.transpose(1, 0, 2).copy(), "activation": activation}
    return y_hat, cache


def loss_and_grads(params, X, y, activation="tanh", truncate=None):
    """Mean squared error and its exact gradient.

    Parameters
    ----------
    X : ndarray, shape (B, T, D)
    y : ndarray, shape (B, O)
    truncate : int or None
        Backpropagate from the output through the last `truncate` steps only (h_{T-truncate} is
        held constant); None is full BPTT.

    Returns
    -------
    loss : float
    grads : dict of ndarray, the keys and shapes of `params`
    """
    X, B, T, D, H, O = _shapes(params, X)
    if truncate is not None and truncate < 1:
        raise ValueError(f"truncate must be >= 1 or None, got {truncate}")
    dtype = params["W_hh"].dtype
    ws = Workspace(B, T, D, H, O, dtype, activation, truncate)
    ws.forward(params, X)
    grads = {name: np.empty_like(params[name]) for name in PARAM_NAMES}
    loss = ws.backward(params, np.asarray(y, dtype=dtype).reshape(B, O), grads)
    return loss, grads
