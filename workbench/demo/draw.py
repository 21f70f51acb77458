"""Random allocation helpers: exact shares, exact picks and gamma-distributed day counts."""
from __future__ import annotations

import numpy as np


def exact(rng: np.random.Generator, n: int, shares: dict) -> np.ndarray:
    """n labels with each share allocated exactly (largest remainder), then shuffled."""
    keys = list(shares)
    raw = np.array([shares[k] for k in keys], dtype=float)
    raw = raw / raw.sum() * n
    counts = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - counts))[: n - counts.sum()]:
        counts[i] += 1
    out = np.repeat(np.array(keys, dtype=object), counts)
    rng.shuffle(out)
    return out


def pick_exact(rng: np.random.Generator, candidates: np.ndarray, k: int, weights=None) -> np.ndarray:
    """k of the candidates (rounded, at most all of them), without replacement, optionally weighted."""
    k = min(int(round(k)), len(candidates))
    if k <= 0:
        return np.array([], dtype=int)
    p = None if weights is None else weights / weights.sum()
    return rng.choice(candidates, size=k, replace=False, p=p)


def gamma_days(rng, mean: float, shape: float, size: int, minimum: int = 1) -> np.ndarray:
    return np.maximum(minimum, np.rint(rng.gamma(shape, mean / shape, size))).astype(int)
