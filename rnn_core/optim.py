"""Optimizers (SGD with momentum, Adam), gradient clipping and learning-rate schedules.

Optimizers update a dict of parameter arrays in place from a dict of gradients with the same
keys; their state (velocities, moments) is allocated on the first step.
"""

from __future__ import annotations

import math

import numpy as np

SCHEDULES = ("constant", "cosine", "step")


class SGD:
    """v = momentum * v - lr * g;  p += v  (plain SGD when momentum is 0)."""

    def __init__(self, momentum: float = 0.0) -> None:
        if not 0.0 <= momentum < 1.0:
            raise ValueError(f"momentum must be in [0, 1), got {momentum}")
        self.momentum = momentum
        self.velocity: dict[str, np.ndarray] = {}

    def step(self, params: dict, grads: dict, lr: float) -> None:
        for name, p in params.items():
            g = grads[name]
            if self.momentum == 0.0:
                p -= lr * g
                continue
            v = self.velocity.get(name)
            if v is None:
                v = self.velocity[name] = np.zeros_like(p)
            v *= self.momentum
            v -= lr * g
            p += v


class Adam:
    """Adam (Kingma & Ba, 2015) with bias correction folded into the step size."""

    def __init__(self, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.t = 0
        self.m: dict[str, np.ndarray] = {}
        self.v: dict[str, np.ndarray] = {}
        self._tmp: dict[str, np.ndarray] = {}

    def step(self, params: dict, grads: dict, lr: float) -> None:
        self.t += 1
        b1, b2 = self.beta1, self.beta2
        step_size = lr * math.sqrt(1 - b2**self.t) / (1 - b1**self.t)
        eps_hat = self.eps * math.sqrt(1 - b2**self.t)  # eps on the bias-corrected v
        for name, p in params.items():
            g = grads[name]
            if name not in self.m:
                self.m[name], self.v[name] = np.zeros_like(p), np.zeros_like(p)
                self._tmp[name] = np.empty_like(p)
            m, v, tmp = self.m[name], self.v[name], self._tmp[name]
            m *= b1  # m = b1 m + (1 - b1) g
            np.multiply(g, 1 - b1, out=tmp)
            m += tmp
            v *= b2  # v = b2 v + (1 - b2) g^2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - b2
            v += tmp
            np.sqrt(v, out=tmp)  # p -= step_size * m / (sqrt(v) + eps_hat)
            tmp += eps_hat
            np.divide(m, tmp, out=tmp)
            tmp *= step_size
            p -= tmp


def make_optimizer(name: str, momentum: float = 0.0):
    if name == "sgd":
        return SGD(momentum)
    if name == "adam":
        return Adam()
    raise ValueError(f"optimizer must be 'sgd' or 'adam', got {name!r}")


def global_norm(grads: dict) -> float:
    """sqrt of the sum of squares of every gradient entry."""
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads.values()))


def clip_by_value(grads: dict, clip_value: float) -> None:
    """Clip every gradient entry to [-clip_value, clip_value], in place (the tutorial's clip)."""
    for g in grads.values():
        np.clip(g, -clip_value, clip_value, out=g)


def clip_by_global_norm(grads: dict, clip_norm: float) -> float:
    """Scale all gradients by min(1, clip_norm / global norm), in place; returns the norm before."""
    norm = global_norm(grads)
    if norm > clip_norm:
        scale = clip_norm / norm
        for g in grads.values():
            g *= scale
    return norm


def learning_rate(schedule: str, base_lr: float, epoch: int, epochs: int) -> float:
    """The learning rate of 0-based `epoch` out of `epochs`.

    "constant": base_lr. "cosine": base_lr * (1 + cos(pi * epoch / epochs)) / 2, from base_lr
    down towards 0 at the end. "step": halved after every fifth of the run.
    """
    if schedule == "constant":
        return base_lr
    if schedule == "cosine":
        return base_lr * 0.5 * (1.0 + math.cos(math.pi * epoch / epochs))
    if schedule == "step":
        return base_lr * 0.5 ** (epoch // max(1, epochs // 5))
    raise ValueError(f"lr_schedule must be one of {', '.join(SCHEDULES)}, got {schedule!r}")
