"""Who took what from whom inside a district, when the log only gives shares on two dates.

A district's log says how much each side holds, not where. The rule used
everywhere (baseline shares, the transition matrix, the baseline timeline):
each actor keeps min(share then, share now) of its part; what the losers gave
up goes to the gainers in proportion to their gains. It is the smallest
movement consistent with both dates, so nothing moves when nothing changed:
a baseline query on its own date gives 100% for the baseline actor.
"""

from __future__ import annotations

import numpy as np


def share_matrix(state, actors: list[str], n: int) -> np.ndarray:
    """(n, len(actors)) shares per district and actor from a figures.state_on frame."""
    out = np.zeros((n, len(actors)))
    code = {a: i for i, a in enumerate(actors)}
    cols = state["controller"].map(code).to_numpy(dtype=int)
    np.add.at(out, (state["idx"].to_numpy(dtype=int), cols), state["share"].to_numpy(dtype=float))
    return out


def _parts(s0: np.ndarray, s1: np.ndarray):
    kept = np.minimum(s0, s1)
    lost = s0 - kept
    gained = s1 - kept
    moved = lost.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        gain_ratio = np.where(moved > 0, gained / moved, 0.0)
    return kept, lost, gain_ratio


def total_flows(s0: np.ndarray, s1: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(A, A): summed over districts (each times its weight, e.g. km²), what went from actor i then to j now.

    Row i sums to what i held then, column j to what j holds now (both weighted).
    """
    kept, lost, gain_ratio = _parts(s0, s1)
    return np.diag(weights @ kept) + (lost * weights[:, None]).T @ gain_ratio


def from_members(s0: np.ndarray, s1: np.ndarray, members: np.ndarray) -> np.ndarray:
    """(..., A): of the part the `members` (a boolean mask over actors) held then, what each actor holds now.

    The sum over actors equals the members' share then, whatever s1 is.
    """
    kept, lost, gain_ratio = _parts(s0, s1)
    members_lost = (lost * members).sum(axis=-1, keepdims=True)
    return kept * members + members_lost * gain_ratio
