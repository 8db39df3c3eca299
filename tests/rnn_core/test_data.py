import numpy as np
import pytest

from rnn_core.data import KINDS, Scaler, series_dataset, sine_dataset


def test_default_sine_task_shapes_and_windows() -> None:
    ds = sine_dataset()
    assert ds.X_train.shape == (100, 50, 1) and ds.y_train.shape == (100, 1)
    assert ds.X_val.shape == (50, 50, 1) and ds.y_val.shape == (50, 1)
    t = np.arange(200)
    np.testing.assert_array_equal(ds.series, np.sin(t))
    np.testing.assert_array_equal(ds.X_train[7, :, 0], np.sin(t[7:57]))
    assert ds.y_train[7, 0] == np.sin(57)
    np.testing.assert_array_equal(ds.X_val[0, :, 0], np.sin(t[100:150]))
    assert ds.y_val[-1, 0] == np.sin(199)
    np.testing.assert_array_equal(ds.target_index("val"), np.arange(150, 200))
    np.testing.assert_array_equal(ds.truth("train"), np.sin(np.arange(50, 150)))
    assert ds.scaler == Scaler(0.0, 1.0) and ds.n_train == 100 and ds.seq_len == 50


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_bounded_and_noise_is_seeded(kind: str) -> None:
    clean = sine_dataset(n_points=120, seq_len=10, val_windows=5, kind=kind)
    assert np.all(np.abs(clean.series) <= 1.0) and clean.series.std() > 0.3
    a = sine_dataset(n_points=120, seq_len=10, val_windows=5, kind=kind, noise=0.1, seed=3)
    b = sine_dataset(n_points=120, seq_len=10, val_windows=5, kind=kind, noise=0.1, seed=3)
    np.testing.assert_array_equal(a.series, b.series)
    assert 0.05 < np.std(a.series - clean.series) < 0.15


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_points": 60}, "too short"),
        ({"seq_len": 0}, "seq_len"),
        ({"val_windows": 0}, "val_windows"),
        ({"kind": "triangle"}, "kind"),
        ({"noise": -1.0}, "noise"),
    ],
)
def test_sine_dataset_rejects_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sine_dataset(**kwargs)


def test_series_dataset_scales_and_inverts() -> None:
    values = np.linspace(10.0, 30.0, 40) ** 1.5
    ds = series_dataset(values, seq_len=5, val_windows=4)
    assert ds.series.min() == pytest.approx(-1.0) and ds.series.max() == pytest.approx(1.0)
    np.testing.assert_allclose(ds.truth("val"), values[-4:])
    np.testing.assert_allclose(ds.scaler.inverse(ds.scaler.transform(values)), values)
    std = series_dataset(values, seq_len=5, val_windows=4, scale="standard")
    assert std.series.mean() == pytest.approx(0.0, abs=1e-12)
    assert std.series.std() == pytest.approx(1.0)
    raw = series_dataset(list(values), seq_len=5, val_windows=4, scale="none")
    np.testing.assert_array_equal(raw.series, values)


@pytest.mark.parametrize("scale", ["minmax", "standard"])
def test_constant_series_keeps_scale_one(scale: str) -> None:
    ds = series_dataset([4.0] * 10, seq_len=3, val_windows=2, scale=scale)
    assert ds.scaler == Scaler(4.0, 1.0)
    np.testing.assert_array_equal(ds.series, np.zeros(10))


@pytest.mark.parametrize(
    ("values", "kwargs", "message"),
    [
        ([1.0, 2.0, 3.0], {"seq_len": 2, "val_windows": 1}, "too short"),
        ([1.0, float("nan"), 3.0, 4.0], {"seq_len": 1, "val_windows": 1}, "finite"),
        ([1.0, float("inf"), 3.0, 4.0], {"seq_len": 1, "val_windows": 1}, "finite"),
        ([], {"seq_len": 1, "val_windows": 1}, "empty"),
        ([[1.0, 2.0]], {"seq_len": 1, "val_windows": 1}, "one-dimensional"),
        ([1.0] * 10, {"seq_len": 0, "val_windows": 1}, "seq_len"),
        ([1.0] * 10, {"seq_len": 2, "val_windows": 0}, "val_windows"),
        ([1.0] * 10, {"seq_len": 2, "val_windows": 1, "scale": "log"}, "scale"),
    ],
)
def test_series_dataset_rejects_bad_input(values, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        series_dataset(values, **kwargs)


def test_scaler_rejects_zero_scale() -> None:
    with pytest.raises(ValueError, match="scale"):
        Scaler(0.0, 0.0)
