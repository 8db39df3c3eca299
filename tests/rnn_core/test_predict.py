import numpy as np
import pytest

from rnn_core.data import Scaler
from rnn_core.model import forward, init_params
from rnn_core.predict import forecast, predict


@pytest.fixture
def params():
    return init_params(1, 6, 1, "xavier", np.random.default_rng(0))


def test_predict_matches_forward_for_2d_and_3d_windows(params) -> None:
    windows = np.sin(np.arange(40.0)).reshape(4, 10)
    y_hat, _ = forward(params, windows[:, :, None], "tanh")
    np.testing.assert_allclose(predict(params, windows), y_hat[:, 0], rtol=1e-12)
    np.testing.assert_array_equal(predict(params, windows[:, :, None]), predict(params, windows))


def test_predict_scales_in_and_out(params) -> None:
    scaler = Scaler(10.0, 2.0)
    raw = 10.0 + 2.0 * np.sin(np.arange(20.0)).reshape(2, 10)
    scaled = predict(params, np.sin(np.arange(20.0)).reshape(2, 10))
    np.testing.assert_allclose(predict(params, raw, scaler=scaler), 10.0 + 2.0 * scaled, rtol=1e-12)


def test_forecast_first_step_is_the_one_step_prediction(params) -> None:
    scaler = Scaler(1.0, 3.0)
    series = 1.0 + 3.0 * np.sin(np.arange(30.0))
    for seq_len in (None, 10):
        out = forecast(params, series, 5, "tanh", seq_len=seq_len, scaler=scaler)
        window = series if seq_len is None else series[-seq_len:]
        assert out.shape == (5,)
        assert out[0] == predict(params, [window], "tanh", scaler=scaler)[0]


def test_forecast_feeds_its_predictions_back(params) -> None:
    series = np.sin(np.arange(12.0))
    out = forecast(params, series, 3, "tanh", seq_len=5)
    second = predict(params, [np.r_[series[-4:], out[0]]], "tanh")[0]
    third = predict(params, [np.r_[series[-3:], out[:2]]], "tanh")[0]
    np.testing.assert_allclose(out[1:], [second, third], rtol=1e-12)
    grown = forecast(params, series, 3, "tanh")  # whole series as the window: the window grows
    np.testing.assert_allclose(
        grown[1], predict(params, [np.r_[series, grown[0]]], "tanh")[0], rtol=1e-12
    )
    np.testing.assert_allclose(
        grown[2], predict(params, [np.r_[series, grown[:2]]], "tanh")[0], rtol=1e-12
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda p: predict(p, np.zeros((0, 5))), "empty"),
        (lambda p: predict(p, [[1.0, float("nan")]]), "finite"),
        (lambda p: predict(p, [[1.0, 2.0], [3.0]]), "rectangular"),
        (lambda p: predict(p, np.zeros((2, 3, 2))), "shape"),
        (lambda p: forecast(p, [], 3), "empty"),
        (lambda p: forecast(p, [1.0, float("inf")], 3), "finite"),
        (lambda p: forecast(p, [1.0, 2.0], 0), "steps"),
        (lambda p: forecast(p, [1.0, 2.0], 2, seq_len=5), "seq_len"),
    ],
)
def test_bad_input_raises_value_error(params, call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(params)


def test_overflowing_output_is_returned_not_raised() -> None:
    params = init_params(1, 3, 1, "normal", np.random.default_rng(0))
    params["W_hh"][...] = 1e300 * np.eye(3)
    params["b_h"][...] = 1e300
    out = predict(params, np.ones((1, 4)), "relu")
    assert out.shape == (1,) and not np.isfinite(out[0])
    assert forecast(params, np.ones(4), 2, "relu").shape == (2,)
