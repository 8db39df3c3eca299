import dataclasses
import json
import math

import numpy as np
import pytest

from rnn_core.train import (
    LIMITS,
    PRESETS,
    ConfigError,
    DataConfig,
    TrainConfig,
    Trainer,
    TrainingDiverged,
    config_from_dict,
    config_to_dict,
    estimate_memory_bytes,
    fit,
)

SMALL = dataclasses.replace(PRESETS["modern"], hidden_size=8, epochs=3)


def _without_time(history):
    return [dataclasses.replace(r, seconds=0.0) for r in history]


def test_tutorial_preset_is_the_tutorial() -> None:
    t = PRESETS["tutorial"]
    assert (t.hidden_size, t.activation, t.init, t.optimizer) == (
        100,
        "sigmoid",
        "uniform01",
        "sgd",
    )
    assert (t.learning_rate, t.momentum, t.lr_schedule, t.batch_size) == (1e-4, 0.0, "constant", 1)
    assert (t.truncate, t.clip_value, t.clip_norm, t.epochs) == (5, 10.0, None, 25)
    assert t.data == DataConfig()


def test_tutorial_preset_saturates_and_ends_a_constant_predictor() -> None:
    trainer = Trainer(PRESETS["tutorial"])
    history = list(trainer.epochs())
    first = history[0]
    assert first.saturation >= 0.99
    assert first.grad_norms["W_xh"] == 0.0 and first.grad_norms["W_hh"] == 0.0
    assert first.grad_norms["W_hy"] > 0.0
    assert len(history) == 25 and 0.65 <= history[-1].val_rmse <= 0.75
    prediction = trainer.predictions("val")["prediction"]
    assert np.std(prediction) < 1e-6  # the same value for every window


def test_modern_preset_reaches_val_rmse_1e_3_on_seed_0() -> None:
    trainer = Trainer(PRESETS["modern"])
    best = math.inf
    for result in trainer.epochs():
        best = min(best, result.val_rmse)
        if best <= 1e-3:
            break
    assert best <= 1e-3, f"val RMSE {best} after {trainer.epoch} epochs"


def test_same_seed_same_history_bit_for_bit() -> None:
    a, b = fit(SMALL), fit(SMALL)
    assert _without_time(a.history) == _without_time(b.history)
    for name in a.params:
        np.testing.assert_array_equal(a.params[name], b.params[name])
    c = fit(dataclasses.replace(SMALL, seed=1))
    assert c.history[-1].val_loss != a.history[-1].val_loss


def test_epoch_results_are_complete_and_json_ready() -> None:
    history = fit(dataclasses.replace(SMALL, dtype="float32")).history
    assert [r.epoch for r in history] == [1, 2, 3]
    row = json.loads(json.dumps(history[0].to_dict()))
    assert set(row) == {
        "epoch",
        "train_loss",
        "val_loss",
        "val_rmse",
        "lr",
        "grad_norms",
        "saturation",
        "seconds",
    }
    assert set(row["grad_norms"]) == {"W_xh", "W_hh", "b_h", "W_hy", "b_y"}
    assert row["val_rmse"] == pytest.approx(math.sqrt(row["val_loss"]))
    assert history[0].lr == SMALL.learning_rate and history[-1].lr < SMALL.learning_rate


def test_val_rmse_is_in_user_units() -> None:
    values = (100 + 50 * np.sin(np.arange(80))).tolist()
    cfg = dataclasses.replace(
        SMALL, epochs=1, data=DataConfig(series=tuple(values), seq_len=10, val_windows=5)
    )
    trainer = Trainer(cfg)
    (result,) = trainer.epochs()
    assert trainer.dataset.scaler.scale == pytest.approx(50, rel=1e-3)
    assert result.val_rmse == pytest.approx(
        math.sqrt(result.val_loss) * trainer.dataset.scaler.scale
    )
    pred = trainer.predictions("val")
    assert pred["index"] == list(range(75, 80))
    np.testing.assert_allclose(pred["truth"], values[75:])
    rmse = np.sqrt(np.mean((np.array(pred["prediction"]) - values[75:]) ** 2))
    assert rmse == pytest.approx(result.val_rmse, rel=1e-6)


def test_divergence_raises_and_keeps_the_last_finite_weights() -> None:
    cfg = dataclasses.replace(
        SMALL,
        optimizer="sgd",
        learning_rate=10.0,
        activation="relu",
        init="normal",
        clip_norm=None,
        lr_schedule="constant",
        epochs=50,
    )
    trainer = Trainer(cfg)
    with pytest.raises(
        TrainingDiverged, match=r"diverged at epoch \d+: (train|val) loss is not finite"
    ):
        for _ in trainer.epochs():
            pass
    assert all(np.all(np.isfinite(p)) for p in trainer.snapshot_params().values())


def test_early_stopping_stops_and_restores_the_best_weights() -> None:
    cfg = dataclasses.replace(
        SMALL,
        optimizer="sgd",
        learning_rate=3.0,
        lr_schedule="constant",
        clip_norm=None,
        epochs=200,
        early_stopping_patience=2,
        dtype="float64",
    )
    trainer = Trainer(cfg)
    history = list(trainer.epochs())
    assert len(history) < 200 and trainer.best_epoch == len(history) - 2
    best = history[trainer.best_epoch - 1]
    assert best.val_loss == min(r.val_loss for r in history)
    pred = trainer.predictions("val")
    mse = np.mean((np.array(pred["prediction"]) - np.array(pred["truth"])) ** 2)
    assert mse == pytest.approx(best.val_loss, rel=1e-6)


def test_fit_on_epoch_can_stop_and_snapshot_is_a_copy() -> None:
    seen = []
    result = fit(
        dataclasses.replace(SMALL, epochs=10), on_epoch=lambda r: seen.append(r) or len(seen) < 2
    )
    assert len(result.history) == 2 and len(seen) == 2 and result.best_epoch in (1, 2)
    trainer = Trainer(SMALL)
    snap = trainer.snapshot_params()
    snap["W_hh"][...] = 0
    assert np.any(trainer.params["W_hh"] != 0)


def test_configs_round_trip_through_dicts_and_replace() -> None:
    for preset in PRESETS.values():
        assert config_from_dict(json.loads(json.dumps(config_to_dict(preset)))) == preset
    cfg = dataclasses.replace(
        PRESETS["modern"], data=DataConfig(series=(1, 2, 3, 4, 5), seq_len=2, val_windows=1)
    )
    d = config_to_dict(cfg)
    assert d["data"]["series"] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert config_from_dict(d) == cfg
    assert dataclasses.replace(PRESETS["tutorial"], hidden_size=8, truncate=None).hidden_size == 8


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"hidden_size": 0}, "hidden_size"),
        ({"hidden_size": 513}, "hidden_size"),
        ({"hidden_size": True}, "hidden_size"),
        ({"hidden_size": 8.0}, "hidden_size"),
        ({"activation": "gelu"}, "activation"),
        ({"init": 1}, "init"),
        ({"optimizer": "rmsprop"}, "optimizer"),
        ({"learning_rate": 0.0}, "learning_rate"),
        ({"learning_rate": float("nan")}, "learning_rate"),
        ({"learning_rate": "0.1"}, "learning_rate"),
        ({"lr_schedule": "linear"}, "lr_schedule"),
        ({"momentum": 1.0}, "momentum"),
        ({"batch_size": 4097}, "batch_size"),
        ({"truncate": 0}, "truncate"),
        ({"clip_value": 0.0}, "clip_value"),
        ({"clip_norm": float("inf")}, "clip_norm"),
        ({"epochs": 0}, "epochs"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**32}, "seed"),
        ({"dtype": "float16"}, "dtype"),
        ({"early_stopping_patience": 0}, "early_stopping_patience"),
        ({"nope": 1}, "nope"),
        ({"data": {"seq_len": 0}}, "data.seq_len"),
        ({"data": {"kind": "noise"}}, "data.kind"),
        ({"data": {"n_points": 100_001}}, "data.n_points"),
        ({"data": {"noise": -0.1}}, "data.noise"),
        ({"data": {"val_windows": 0}}, "data.val_windows"),
        ({"data": {"scale": "log"}}, "data.scale"),
        ({"data": {"series": [1.0, float("nan"), 2.0]}}, "data.series"),
        ({"data": {"series": ["a", "b", "c"]}}, "data.series"),
        ({"data": {"bogus": 1}}, "data.bogus"),
        ({"data": {"n_points": 100}}, "data"),
        ({"data": {"series": [1.0, 2.0, 3.0]}}, "data"),
        ({"data": 5}, "data"),
    ],
)
def test_bad_configs_raise_a_value_error_naming_the_field(overrides: dict, field: str) -> None:
    d = config_to_dict(PRESETS["modern"])
    data = overrides.pop("data", None)
    d.update(overrides)
    if isinstance(data, dict):
        d["data"].update(data)
    elif data is not None:
        d["data"] = data
    with pytest.raises(ValueError, match=field.split(".")[-1]) as info:
        config_from_dict(d)
    assert isinstance(info.value, ConfigError) and info.value.field == field


def test_limit_messages_quote_the_range() -> None:
    with pytest.raises(ConfigError, match=r"hidden_size must be an integer in \[1, 512\], got 0"):
        TrainConfig(hidden_size=0)
    with pytest.raises(ConfigError, match=r"learning_rate must be a finite number in \(0, 10\]"):
        TrainConfig(learning_rate=-1)
    assert LIMITS["hidden_size"] == (1, 512) and LIMITS["data.seq_len"] == (1, 1000)


def test_memory_estimate_grows_with_the_run() -> None:
    small = estimate_memory_bytes(PRESETS["modern"])
    assert 0 < small < 64 * 2**20
    big = dataclasses.replace(
        PRESETS["modern"],
        hidden_size=512,
        batch_size=4096,
        data=DataConfig(n_points=100_000, seq_len=1000),
    )
    assert estimate_memory_bytes(big) > 8 * 2**30
