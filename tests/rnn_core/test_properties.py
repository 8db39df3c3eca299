"""Property tests: the builders, TrainConfig and forecast either work or raise ValueError;
never another exception, never a non-finite value handed back without a word."""

from __future__ import annotations

import dataclasses
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rnn_core.data import KINDS, series_dataset, sine_dataset
from rnn_core.model import init_params
from rnn_core.predict import forecast, predict
from rnn_core.train import PRESETS, TrainConfig, config_from_dict, config_to_dict

floats = st.floats(allow_nan=True, allow_infinity=True, width=64)
finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
anything = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), floats, st.text(max_size=5)
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _all_finite_dataset(ds) -> None:
    for arr in (ds.X_train, ds.y_train, ds.X_val, ds.y_val, ds.series):
        assert np.all(np.isfinite(arr))
    assert np.isfinite(ds.scaler.offset) and np.isfinite(ds.scaler.scale) and ds.scaler.scale > 0


@FAST
@given(
    values=st.lists(floats, min_size=0, max_size=80),
    seq_len=st.one_of(st.integers(-3, 90), anything),
    val_windows=st.one_of(st.integers(-3, 90), anything),
    scale=st.sampled_from(["minmax", "standard", "none", "bogus"]),
)
def test_series_dataset_works_or_raises_value_error(values, seq_len, val_windows, scale) -> None:
    try:
        ds = series_dataset(values, seq_len, val_windows, scale=scale)
    except ValueError:
        return
    _all_finite_dataset(ds)
    assert len(ds.y_train) >= 1 and len(ds.y_val) >= 1


@FAST
@given(
    n_points=st.one_of(st.integers(-3, 400), anything),
    seq_len=st.one_of(st.integers(-3, 120), anything),
    val_windows=st.one_of(st.integers(-3, 120), anything),
    noise=st.one_of(floats, anything),
    kind=st.one_of(st.sampled_from(KINDS), st.text(max_size=4)),
    seed=st.one_of(st.integers(0, 2**32 - 1), anything),
)
def test_sine_dataset_works_or_raises_value_error(
    n_points, seq_len, val_windows, noise, kind, seed
) -> None:
    try:
        ds = sine_dataset(n_points, seq_len, val_windows, noise, kind, seed)
    except ValueError:
        return
    _all_finite_dataset(ds)


FIELDS = [f.name for f in dataclasses.fields(TrainConfig) if f.name != "data"]
DATA_FIELDS = ["kind", "n_points", "seq_len", "val_windows", "noise", "series", "scale"]


@FAST
@given(
    field=st.sampled_from(FIELDS + ["data." + f for f in DATA_FIELDS] + ["unknown"]),
    value=st.one_of(anything, st.lists(finite, max_size=5)),
)
def test_train_config_works_or_raises_value_error(field, value) -> None:
    d = config_to_dict(PRESETS["modern"])
    if field.startswith("data."):
        d["data"][field[5:]] = value
    else:
        d[field] = value
    try:
        config = config_from_dict(d)
    except ValueError:
        return
    assert config_from_dict(config_to_dict(config)) == config


@pytest.fixture(scope="module")
def trained():
    rng = np.random.default_rng(0)
    return init_params(1, 8, 1, "xavier", rng, "float64")


@FAST
@given(
    series=st.lists(floats, min_size=0, max_size=12),
    steps=st.one_of(st.integers(-2, 30), anything),
    seq_len=st.one_of(st.none(), st.integers(1, 12)),
    big=st.sampled_from([1.0, 1e150, 1e300]),
)
def test_forecast_works_or_raises_value_error(trained, series, steps, seq_len, big) -> None:
    params = {k: v * big if k == "W_hy" else v for k, v in trained.items()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = forecast(params, series, steps, "tanh", seq_len=seq_len)
        except ValueError:
            return
    assert out.shape == (steps,)
    if not np.all(np.isfinite(out)):  # an overflow is said out loud
        assert any(
            issubclass(w.category, RuntimeWarning) and "finite" in str(w.message) for w in caught
        )


@FAST
@given(windows=st.lists(st.lists(floats, min_size=0, max_size=6), min_size=0, max_size=4))
def test_predict_works_or_raises_value_error(trained, windows) -> None:
    try:
        out = predict(trained, windows, "tanh")
    except ValueError:
        return
    assert np.all(np.isfinite(out))
