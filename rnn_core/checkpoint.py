"""Save and load a trained model as .npz: parameters, config (JSON) and data scaling.

No pickle anywhere (`allow_pickle=False`): a checkpoint holds plain numeric and string arrays,
tagged with a format marker and version so that anything else is refused with a clear error.
"""

from __future__ import annotations

import io
import json
import os
import zipfile
from dataclasses import dataclass

import numpy as np

from rnn_core.config import TrainConfig, config_from_dict, config_to_dict
from rnn_core.data import Scaler
from rnn_core.model import PARAM_NAMES

FORMAT = "rnnlab-model"
VERSION = 1


@dataclass(frozen=True)
class Checkpoint:
    params: dict[str, np.ndarray]
    config: TrainConfig
    scaler: Scaler


def save(file, params: dict, config: TrainConfig, scaler: Scaler) -> None:
    """Write a checkpoint to `file`, a path or a binary file object."""
    if isinstance(file, str | os.PathLike):  # np.savez would append ".npz" to a bare path
        with open(file, "wb") as f:
            save(f, params, config, scaler)
        return
    arrays = {f"param_{name}": np.asarray(params[name]) for name in PARAM_NAMES}
    np.savez(
        file,
        format=np.array(FORMAT),
        version=np.array(VERSION),
        config=np.array(json.dumps(config_to_dict(config))),
        scaler=np.array([scaler.offset, scaler.scale], dtype=np.float64),
        **arrays,
    )


def load(file) -> Checkpoint:
    """Read a checkpoint written by `save`; ValueError("not an rnnlab model: ...") otherwise."""
    try:
        npz = np.load(file, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"not an rnnlab model: not a readable .npz file ({exc})") from None
    if not isinstance(npz, np.lib.npyio.NpzFile):
        raise ValueError("not an rnnlab model: a single .npy array, not an .npz checkpoint")
    with npz:
        try:
            if "format" not in npz.files or str(npz["format"]) != FORMAT:
                raise ValueError("no rnnlab format marker")
            if int(npz["version"]) != VERSION:
                raise ValueError(
                    f"format version {int(npz['version'])}, this rnnlab reads {VERSION}"
                )
            config = config_from_dict(json.loads(str(npz["config"])))
            offset, scale = (float(v) for v in npz["scaler"])
            scaler = Scaler(offset, scale)
            params = {name: npz[f"param_{name}"] for name in PARAM_NAMES}
        except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as exc:
            raise ValueError(f"not an rnnlab model: {exc}") from None
    H = config.hidden_size
    expected = {"W_xh": (1, H), "W_hh": (H, H), "b_h": (H,), "W_hy": (H, 1), "b_y": (1,)}
    for name, shape in expected.items():
        p = params[name]
        if p.shape != shape or p.dtype != np.dtype(config.dtype):
            raise ValueError(
                f"not an rnnlab model: {name} has shape {p.shape} and dtype {p.dtype}, "
                f"expected {shape} {config.dtype}"
            )
    return Checkpoint(params, config, scaler)


def to_bytes(params: dict, config: TrainConfig, scaler: Scaler) -> bytes:
    buffer = io.BytesIO()
    save(buffer, params, config, scaler)
    return buffer.getvalue()


def from_bytes(blob: bytes) -> Checkpoint:
    return load(io.BytesIO(blob))
