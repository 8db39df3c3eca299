import numpy as np
import pytest

from rnn_core.data import sine_dataset
from rnn_core.model import (
    ACTIVATIONS,
    INITS,
    PARAM_NAMES,
    forward,
    init_params,
    loss_and_grads,
)


def _loss(params, X, y, activation, truncate, anchor):
    """The loss whose exact gradient truncated BPTT computes: h_{T-k} is frozen at its value
    under `anchor` (the unperturbed parameters), and only the last k steps see `params`."""
    T = X.shape[1]
    if truncate is None or truncate >= T:
        y_hat, _ = forward(params, X, activation)
    else:
        _, cache = forward(anchor, X, activation)
        h0 = cache["h"][:, T - truncate - 1]
        y_hat, _ = forward(params, X[:, T - truncate :], activation, h0=h0)
    return np.mean((y_hat - y) ** 2)


def _numeric_grads(params, X, y, activation, truncate, eps=1e-5):
    grads = {}
    for name, p in params.items():
        g = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            shifted = {k: v.copy() for k, v in params.items()}
            shifted[name][i] += eps
            plus = _loss(shifted, X, y, activation, truncate, params)
            shifted[name][i] -= 2 * eps
            minus = _loss(shifted, X, y, activation, truncate, params)
            g[i] = (plus - minus) / (2 * eps)
        grads[name] = g
    return grads


@pytest.mark.parametrize("activation", ["tanh", "sigmoid"])
@pytest.mark.parametrize("truncate", [None, 3])
@pytest.mark.parametrize(
    ("B", "T", "D", "H", "O", "seed", "init"),
    [(3, 6, 1, 4, 1, 0, "xavier"), (2, 9, 2, 5, 2, 1, "normal"), (1, 4, 1, 3, 1, 2, "normal")],
)
def test_gradients_match_central_differences(activation, truncate, B, T, D, H, O, seed, init):
    rng = np.random.default_rng(seed)
    params = init_params(D, H, O, init, rng, "float64")
    params = {k: v + 0.1 * rng.normal(size=v.shape) for k, v in params.items()}  # nonzero biases
    X, y = rng.normal(size=(B, T, D)), rng.normal(size=(B, O))
    loss, grads = loss_and_grads(params, X, y, activation, truncate)
    assert loss == pytest.approx(_loss(params, X, y, activation, None, params))
    numeric = _numeric_grads(params, X, y, activation, truncate)
    for name in PARAM_NAMES:
        a, n = grads[name], numeric[name]
        assert a.shape == params[name].shape
        rel = np.linalg.norm(a - n) / max(np.linalg.norm(a) + np.linalg.norm(n), 1e-12)
        assert rel < 1e-6, (name, rel)


def test_truncation_changes_only_the_recurrent_gradients() -> None:
    rng = np.random.default_rng(4)
    params = init_params(1, 6, 1, "xavier", rng)
    X, y = rng.normal(size=(5, 12, 1)), rng.normal(size=(5, 1))
    _, full = loss_and_grads(params, X, y, "tanh")
    _, same = loss_and_grads(params, X, y, "tanh", truncate=12)
    _, short = loss_and_grads(params, X, y, "tanh", truncate=2)
    for name in PARAM_NAMES:
        np.testing.assert_allclose(same[name], full[name], rtol=1e-12, atol=1e-15)
    np.testing.assert_array_equal(short["W_hy"], full["W_hy"])
    assert not np.allclose(short["W_hh"], full["W_hh"])


def test_forward_matches_the_equations() -> None:
    rng = np.random.default_rng(5)
    p = init_params(2, 4, 3, "normal", rng)
    X = rng.normal(size=(3, 5, 2))
    for activation in ACTIVATIONS:
        act = {
            "tanh": np.tanh,
            "sigmoid": lambda a: 1 / (1 + np.exp(-a)),
            "relu": lambda a: np.maximum(a, 0),
        }[activation]
        h = np.zeros((3, 4))
        for t in range(5):
            h = act(X[:, t] @ p["W_xh"] + h @ p["W_hh"] + p["b_h"])
        y_hat, cache = forward(p, X, activation)
        np.testing.assert_allclose(y_hat, h @ p["W_hy"] + p["b_y"], rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(cache["h"][:, -1], h, rtol=1e-12, atol=1e-14)
        assert cache["h"].shape == (3, 5, 4)


@pytest.mark.parametrize("init", INITS)
def test_init_shapes_dtype_and_seeding(init: str) -> None:
    a = init_params(1, 8, 1, init, np.random.default_rng(0), "float32")
    b = init_params(1, 8, 1, init, np.random.default_rng(0), "float32")
    shapes = {"W_xh": (1, 8), "W_hh": (8, 8), "b_h": (8,), "W_hy": (8, 1), "b_y": (1,)}
    for name, shape in shapes.items():
        assert a[name].shape == shape and a[name].dtype == np.float32
        np.testing.assert_array_equal(a[name], b[name])
    if init == "xavier":  # orthogonal recurrent weights
        np.testing.assert_allclose(a["W_hh"] @ a["W_hh"].T, np.eye(8), atol=1e-5)
    if init == "uniform01":
        assert a["W_hh"].min() >= 0 and a["W_hh"].max() <= 1


def test_float32_forward_agrees_with_float64_on_the_default_task() -> None:
    ds = sine_dataset()
    p64 = init_params(1, 32, 1, "xavier", np.random.default_rng(0), "float64")
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    X = np.concatenate([ds.X_train, ds.X_val])
    y64, _ = forward(p64, X, "tanh")
    y32, _ = forward(p32, X, "tanh")
    assert y32.dtype == np.float32
    assert np.max(np.abs(y32 - y64)) < 1e-5
    loss32, grads32 = loss_and_grads(p32, ds.X_train, ds.y_train, "tanh")
    assert grads32["W_hh"].dtype == np.float32 and np.isfinite(loss32)


def test_bad_activation_and_init_are_rejected() -> None:
    with pytest.raises(ValueError, match="activation"):
        forward(
            init_params(1, 2, 1, "normal", np.random.default_rng(0)), np.zeros((1, 2, 1)), "gelu"
        )
    with pytest.raises(ValueError, match="init"):
        init_params(1, 2, 1, "zeros", np.random.default_rng(0))
