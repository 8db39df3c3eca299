"""Request and response models. Strict where a wrong type would be coerced silently.

The numeric bounds here are the documented limits (README, "Limits"); rnn_core's
TrainConfig enforces the same ones, so a config that passes here only fails later
for reasons that involve several fields at once (too few windows, memory budget).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt

FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
Status = Literal["queued", "running", "paused", "completed", "stopped", "failed", "interrupted"]
Kind = Literal["sine", "sum_of_sines", "sawtooth", "square"]

MAX_SERIES = 100_000
MAX_SEQ_LEN = 1000
MAX_PREDICT_WINDOWS = 1000
MAX_FORECAST_STEPS = 10_000
MAX_NAME = 100


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Health(BaseModel):
    status: Literal["ok"]


class Stats(BaseModel):
    tasks: int
    threads: int
    open_fds: int | None
    live_runs: int


class DataIn(_Strict):
    kind: Kind | None = None
    n_points: Annotated[StrictInt, Field(ge=2, le=MAX_SERIES)] | None = None
    seq_len: Annotated[StrictInt, Field(ge=1, le=MAX_SEQ_LEN)] | None = None
    val_windows: Annotated[StrictInt, Field(ge=1, le=MAX_SERIES)] | None = None
    noise: Annotated[FiniteFloat, Field(ge=0, le=10)] | None = None
    series: Annotated[list[FiniteFloat], Field(min_length=3, max_length=MAX_SERIES)] | None = Field(
        None, description="your own series; replaces kind and n_points"
    )
    scale: Literal["minmax", "standard", "none"] | None = None


class RunCreate(_Strict):
    """A preset plus any overrides. An absent field keeps the preset's value;
    `null` for truncate, clip_value, clip_norm or early_stopping_patience turns it off."""

    preset: Literal["modern", "tutorial"] = "modern"
    name: Annotated[str, Field(max_length=MAX_NAME)] | None = None
    hidden_size: Annotated[StrictInt, Field(ge=1, le=512)] | None = None
    activation: Literal["tanh", "sigmoid", "relu"] | None = None
    init: Literal["uniform01", "xavier", "normal"] | None = None
    optimizer: Literal["sgd", "adam"] | None = None
    learning_rate: Annotated[FiniteFloat, Field(gt=0, le=10)] | None = None
    lr_schedule: Literal["constant", "cosine", "step"] | None = None
    momentum: Annotated[FiniteFloat, Field(ge=0, lt=1)] | None = None
    batch_size: Annotated[StrictInt, Field(ge=1, le=4096)] | None = None
    truncate: Annotated[StrictInt, Field(ge=1, le=MAX_SEQ_LEN)] | None = None
    clip_value: Annotated[FiniteFloat, Field(gt=0, le=1e6)] | None = None
    clip_norm: Annotated[FiniteFloat, Field(gt=0, le=1e6)] | None = None
    epochs: Annotated[StrictInt, Field(ge=1, le=100_000)] | None = None
    seed: Annotated[StrictInt, Field(ge=0, le=2**32 - 1)] | None = None
    dtype: Literal["float64", "float32"] | None = None
    early_stopping_patience: Annotated[StrictInt, Field(ge=1, le=100_000)] | None = None
    data: DataIn | None = None


class DataOut(BaseModel):
    kind: str
    n_points: int
    seq_len: int
    val_windows: int
    noise: float
    series: list[float] | None = None
    scale: str


class ConfigOut(BaseModel):
    hidden_size: int
    activation: str
    init: str
    optimizer: str
    learning_rate: float
    lr_schedule: str
    momentum: float
    batch_size: int
    truncate: int | None
    clip_value: float | None
    clip_norm: float | None
    epochs: int
    seed: int
    dtype: str
    early_stopping_patience: int | None
    data: DataOut


class EpochOut(BaseModel):
    epoch: int
    train_loss: float | None
    val_loss: float | None
    val_rmse: float | None
    lr: float | None
    grad_norms: dict[str, float | None]
    saturation: float | None
    seconds: float | None
    t: float | None = Field(None, description="server time (unix s) when the epoch finished")


class RunSummary(BaseModel):
    id: int
    name: str
    preset: str
    status: Status
    config: ConfigOut
    error: str | None
    created_at: float
    started_at: float | None
    finished_at: float | None
    epochs_done: int
    best_val_rmse: float | None
    best_epoch: int | None


class RunOut(RunSummary):
    history: list[EpochOut]


class StatusOut(BaseModel):
    id: int
    status: Status
    error: str | None = None


class Predictions(BaseModel):
    index: list[int]
    truth: list[float | None]
    prediction: list[float | None]


class PredictOne(_Strict):
    window: Annotated[list[FiniteFloat], Field(min_length=1, max_length=MAX_SEQ_LEN)]


class PredictBatch(_Strict):
    windows: Annotated[
        list[Annotated[list[FiniteFloat], Field(min_length=1, max_length=MAX_SEQ_LEN)]],
        Field(min_length=1, max_length=MAX_PREDICT_WINDOWS),
    ]


class PredictForecast(_Strict):
    series: Annotated[list[FiniteFloat], Field(min_length=1, max_length=MAX_SERIES)]
    steps: Annotated[StrictInt, Field(ge=1, le=MAX_FORECAST_STEPS)]


PredictIn = PredictOne | PredictBatch | PredictForecast


class PredictionOut(BaseModel):
    prediction: float | None


class PredictionsOut(BaseModel):
    predictions: list[float | None]


class ForecastOut(BaseModel):
    forecast: list[float | None]


class SeriesOut(BaseModel):
    series: list[float]


class ErrorOut(BaseModel):
    detail: str | list[dict]


def json_safe(value: object) -> object:
    """Non-finite floats become None, recursively (Trackio's _json_safe)."""
    import math

    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    return value
