import math

import numpy as np
import pytest

from rnn_core.optim import (
    SGD,
    Adam,
    clip_by_global_norm,
    clip_by_value,
    global_norm,
    learning_rate,
)


def _quadratic_grads(params):
    return {"w": 2 * (params["w"] - 3.0)}  # d/dw (w - 3)^2


@pytest.mark.parametrize("optimizer", [SGD(), SGD(momentum=0.9), Adam()])
def test_optimizers_minimise_a_quadratic(optimizer) -> None:
    params = {"w": np.array([0.0, 10.0])}
    for _ in range(500):
        optimizer.step(params, _quadratic_grads(params), 0.05)
    np.testing.assert_allclose(params["w"], [3.0, 3.0], atol=1e-3)


def test_sgd_step_and_momentum_follow_their_equations() -> None:
    params = {"w": np.array([1.0])}
    SGD().step(params, {"w": np.array([2.0])}, 0.1)
    assert params["w"][0] == pytest.approx(0.8)
    opt = SGD(momentum=0.5)
    opt.step(params, {"w": np.array([1.0])}, 0.1)  # v = -0.1
    opt.step(params, {"w": np.array([1.0])}, 0.1)  # v = -0.05 - 0.1
    assert params["w"][0] == pytest.approx(0.8 - 0.1 - 0.15)
    with pytest.raises(ValueError, match="momentum"):
        SGD(momentum=1.0)


def test_adam_first_step_moves_each_weight_by_lr() -> None:
    params = {"w": np.array([1.0, 1.0]), "b": np.array([0.0])}
    Adam().step(params, {"w": np.array([1e-3, -50.0]), "b": np.array([2.0])}, 0.01)
    np.testing.assert_allclose(params["w"], [0.99, 1.01], rtol=1e-6)
    np.testing.assert_allclose(params["b"], [-0.01], rtol=1e-6)


def test_clipping() -> None:
    grads = {"a": np.array([3.0, -20.0]), "b": np.array([[15.0]])}
    clip_by_value(grads, 10.0)
    np.testing.assert_array_equal(grads["a"], [3.0, -10.0])
    np.testing.assert_array_equal(grads["b"], [[10.0]])
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([4.0])}
    assert clip_by_global_norm(grads, 1.0) == pytest.approx(5.0)
    assert global_norm(grads) == pytest.approx(1.0)
    np.testing.assert_allclose(grads["a"], [0.6, 0.0])
    small = {"a": np.array([0.3])}
    clip_by_global_norm(small, 1.0)
    assert small["a"][0] == 0.3


def test_schedules() -> None:
    assert learning_rate("constant", 0.1, 7, 10) == 0.1
    assert learning_rate("cosine", 0.1, 0, 10) == 0.1
    assert learning_rate("cosine", 0.1, 5, 10) == pytest.approx(0.05)
    assert learning_rate("cosine", 0.1, 9, 10) < 0.003
    cosine = [learning_rate("cosine", 1.0, e, 50) for e in range(50)]
    assert all(a > b for a, b in zip(cosine, cosine[1:], strict=False))
    assert learning_rate("step", 0.1, 0, 10) == 0.1
    assert learning_rate("step", 0.1, 2, 10) == pytest.approx(0.05)
    assert learning_rate("step", 0.1, 9, 10) == pytest.approx(0.1 / 16)
    assert learning_rate("step", 0.1, 3, 3) == pytest.approx(0.1 / 8)
    assert math.isfinite(learning_rate("step", 0.1, 99_999, 100_000))
    with pytest.raises(ValueError, match="lr_schedule"):
        learning_rate("linear", 0.1, 0, 10)
