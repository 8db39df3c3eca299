"""`rnnlab train` and `rnnlab predict` through app.cli.main, in process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from app.cli import main
from rnn_core import checkpoint
from rnn_core.predict import forecast, predict


@pytest.fixture(scope="module")
def model_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "model.npz"
    assert (
        main(["train", "--epochs", "3", "--hidden-size", "8", "--seed", "1", "--out", str(path)])
        == 0
    )
    return path


def test_train_shows_progress_and_final_metrics(tmp_path: Path, capsys) -> None:
    out = tmp_path / "m.npz"
    code = main(
        [
            "train",
            "--preset",
            "modern",
            "--epochs",
            "2",
            "--hidden-size",
            "4",
            "--learning-rate",
            "0.01",
            "--dtype",
            "float32",
            "--out",
            str(out),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert "epoch 2/2" in captured.err and "val RMSE" in captured.err
    assert "val RMSE:" in captured.out and f"saved: {out}" in captured.out
    ckpt = checkpoint.load(out)
    assert (ckpt.config.epochs, ckpt.config.hidden_size, ckpt.config.dtype) == (2, 4, "float32")


def test_predict_window_and_forecast(model_path: Path, capsys) -> None:
    ckpt = checkpoint.load(model_path)
    window = np.sin(np.arange(150, 200))
    text = ",".join(repr(float(v)) for v in window)
    assert main(["predict", str(model_path), f"--window={text}"]) == 0
    printed = capsys.readouterr().out.split()
    expected = predict(ckpt.params, [window], ckpt.config.activation, scaler=ckpt.scaler)
    assert [float(v) for v in printed] == expected.tolist()

    assert main(["predict", str(model_path), f"--window={text}", "--forecast", "4"]) == 0
    printed = [float(v) for v in capsys.readouterr().out.split()]
    assert len(printed) == 4 and printed[0] == expected[0]

    series = ",".join(repr(float(v)) for v in np.sin(np.arange(120)))
    assert main(["predict", str(model_path), f"--series={series}", "--forecast", "3"]) == 0
    printed = [float(v) for v in capsys.readouterr().out.split()]
    expected = forecast(
        ckpt.params,
        np.sin(np.arange(120)),
        3,
        ckpt.config.activation,
        seq_len=50,
        scaler=ckpt.scaler,
    )
    assert printed == expected.tolist()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["train", "--hidden-size", "0"], "hidden_size must be an integer in [1, 512]"),
        (["train", "--learning-rate", "nan"], "learning_rate"),
        (["predict", "{model}", "--window", "1,2,3"], "exactly 50 values"),
        (["predict", "{model}", "--window", "1,x"], "comma-separated"),
        (["predict", "{model}", "--series", "1,2,3"], "--forecast"),
        (["predict", "{model}", "--series", "1,2,3", "--forecast", "2"], "seq_len"),
        (["predict", "{model}", "--window", ",".join(["1"] * 50), "--forecast", "0"], "steps"),
        (["predict", "{missing}", "--window", "1"], "cannot load"),
        (["predict", "{junk}", "--window", "1"], "not an rnnlab model"),
    ],
)
def test_bad_input_exits_non_zero_with_a_message(
    argv, message, model_path, tmp_path, capsys
) -> None:
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a model")
    paths = {"model": model_path, "missing": tmp_path / "nope.npz", "junk": junk}
    argv = [a.format(**paths) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse rejects malformed arguments itself
        code = exc.code
    err = capsys.readouterr().err
    assert code != 0 and message in err and "Traceback" not in err


def test_diverging_training_exits_1(monkeypatch, capsys) -> None:
    from rnn_core import train

    def diverge(self):
        raise train.TrainingDiverged("diverged at epoch 1: train loss is not finite")
        yield  # pragma: no cover

    monkeypatch.setattr(train.Trainer, "epochs", diverge)
    assert main(["train", "--epochs", "1", "--hidden-size", "2"]) == 1
    assert "diverged at epoch 1" in capsys.readouterr().err
