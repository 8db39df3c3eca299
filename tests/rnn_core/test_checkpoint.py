import dataclasses
import io

import numpy as np
import pytest

from rnn_core import checkpoint
from rnn_core.data import Scaler
from rnn_core.predict import predict
from rnn_core.train import PRESETS, DataConfig, fit


@pytest.fixture(scope="module")
def trained():
    cfg = dataclasses.replace(
        PRESETS["modern"],
        hidden_size=8,
        epochs=2,
        dtype="float32",
        data=DataConfig(series=tuple(5 + np.sin(np.arange(60.0))), seq_len=8, val_windows=4),
    )
    return cfg, fit(cfg).params


def test_round_trip_gives_bit_identical_predictions(trained, tmp_path) -> None:
    cfg, params = trained
    scaler = Scaler(5.0, 0.99)
    path = tmp_path / "model"  # no suffix added behind the caller's back
    checkpoint.save(path, params, cfg, scaler)
    assert path.exists()
    for ckpt in (
        checkpoint.load(path),
        checkpoint.from_bytes(checkpoint.to_bytes(params, cfg, scaler)),
    ):
        assert ckpt.config == cfg and ckpt.scaler == scaler
        windows = 5 + np.sin(np.arange(16.0)).reshape(2, 8)
        np.testing.assert_array_equal(
            predict(ckpt.params, windows, cfg.activation, scaler=ckpt.scaler),
            predict(params, windows, cfg.activation, scaler=scaler),
        )
        for name, p in params.items():
            assert ckpt.params[name].dtype == np.float32
            np.testing.assert_array_equal(ckpt.params[name], p)


def test_file_objects_work(trained) -> None:
    cfg, params = trained
    buffer = io.BytesIO()
    checkpoint.save(buffer, params, cfg, Scaler())
    buffer.seek(0)
    assert checkpoint.load(buffer).config == cfg


def _plain_npz() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, W_hh=np.zeros((2, 2)))
    return buffer.getvalue()


def _npy() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.zeros(3))
    return buffer.getvalue()


def _pickled() -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, format=np.array([{"a": 1}], dtype=object))
    return buffer.getvalue()


def _tampered(trained) -> bytes:
    cfg, params = trained
    bad = dict(params, W_hh=np.zeros((3, 3), np.float32))
    return checkpoint.to_bytes(bad, cfg, Scaler())


@pytest.mark.parametrize(
    "make",
    [
        lambda t: _plain_npz(),
        lambda t: _npy(),
        lambda t: _pickled(),
        lambda t: np.random.default_rng(0).bytes(300),
        lambda t: b"",
        _tampered,
    ],
)
def test_refuses_anything_that_is_not_an_rnnlab_model(trained, make) -> None:
    with pytest.raises(ValueError, match="not an rnnlab model"):
        checkpoint.from_bytes(make(trained))
