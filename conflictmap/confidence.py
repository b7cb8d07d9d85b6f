"""Confidence is data: the log's `confidence` column, ordered, can filter a figure and give its range.

Levels are ordered from the surest down (default confirmed > reported > claimed > inferred). The order
can be set in the actors file (`[confidence] levels = [...]`) or the project file
(`confidence_levels = "confirmed > reported > claimed > inferred"`). With an order set, a label outside
it is an error naming its row; with the default order, unknown labels rank last and are a warning.

Filtering keeps a district's first rows (its starting state) whatever their confidence and drops the
later rows (changes) below the level asked for, so the district stays with the holder of its last kept
change: "the figure using only confirmed changes".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .errors import InputError, Problem, UsageError
from .figures import shares
from .tolerance import CHANGE_TOLERANCE
from .io import read_toml

__all__ = ["load_levels", "filtered", "share_range", "timeline_range", "depends_on_unsure", "check_labels"]

DEFAULT_LEVELS = ("confirmed", "reported", "claimed", "inferred")
SEPARATORS = re.compile(r"\s*(?:>|,)\s*")


@dataclass(frozen=True)
class Levels:
    names: tuple[str, ...] = DEFAULT_LEVELS
    origin: str = ""  # the file that set the order; '' for the default

    def rank(self, label: str) -> int:
        """0 for the surest level; unknown and empty labels rank after every level."""
        key = label.strip().lower()
        return self.names.index(key) if key in self.names else len(self.names)

    def describe(self) -> str:
        return " > ".join(self.names)


def _names(text_or_list, where: str) -> tuple[str, ...]:
    items = text_or_list if isinstance(text_or_list, list) else SEPARATORS.split(str(text_or_list).strip())
    names = tuple(str(n).strip().lower() for n in items if str(n).strip())
    if not names or len(set(names)) != len(names):
        raise InputError(
            f"{where}: confidence levels must be distinct names from the surest down, "
            "e.g. confirmed > reported > claimed > inferred"
        )
    return names


def load_levels(inputs) -> Levels:
    """The order from the project file, else the actors file's [confidence] table, else the default."""
    if getattr(inputs, "confidence_levels", None):
        origin = inputs.project or "the project file"
        return Levels(_names(inputs.confidence_levels, f"{origin}: confidence_levels"), origin)
    if inputs.actors:
        from pathlib import Path

        data = read_toml(Path(inputs.actors), InputError(f"{inputs.actors}: actors file not found"), "")
        table = data.get("confidence")
        if isinstance(table, dict) and table.get("levels"):
            return Levels(_names(table["levels"], f"{inputs.actors} [confidence] levels"), str(inputs.actors))
    return Levels()


def check_labels(log: pd.DataFrame, levels: Levels) -> list[Problem]:
    """Labels outside a configured order are errors (first row named); with the default order, warnings."""
    labels = log["confidence"].fillna("").astype(str).str.strip().str.lower()
    if len(log) and (labels == "").all():
        return [
            Problem(
                "warning",
                "",
                "no row of the control log has a confidence: every change ranks below the "
                "levels, so only the districts' first rows count (add a confidence column)",
            )
        ]
    odd = log[(labels != "") & ~labels.isin(levels.names)]
    if not len(odd):
        return []
    first = odd.iloc[0]
    found = ", ".join(repr(x) for x in sorted(set(odd["confidence"].astype(str).str.strip())))
    if levels.origin:
        raise InputError(
            f"{first['where']}: confidence {first['confidence']!r} is not one of the levels "
            f"{levels.describe()} set in {levels.origin}; add it there or correct the row"
        )
    return [
        Problem(
            "warning",
            first["where"],
            f"confidence {found} not among {levels.describe()}: ranked below them "
            "(set the order with [confidence] levels in the actors file)",
        )
    ]


def allowed(option: str, levels: Levels) -> set[int]:
    """--confidence as ranks: one level keeps it and every surer one; a comma list keeps exactly those."""
    names = [n.strip().lower() for n in option.split(",") if n.strip()]
    unknown = [n for n in names if n not in levels.names]
    if not names or unknown:
        raise UsageError(
            f"--confidence {option!r}: not a level of {levels.describe()}; give one (it and every surer "
            "level are kept) or a comma-separated list"
        )
    ranks = {levels.names.index(n) for n in names}
    return set(range(max(ranks) + 1)) if len(names) == 1 else ranks


def counted(keep: set[int], levels: Levels) -> str:
    """What a figure filtered to the ranks `keep` counts, as a sentence for its reader."""
    names = [levels.names[i] for i in sorted(keep)]
    which = f"at least as sure as {names[-1]}" if len(names) == max(keep) + 1 else f"marked {', '.join(names)}"
    return f"Only the changes {which} count (a district's first rows always count)."


def _group_rank(log: pd.DataFrame, levels: Levels) -> np.ndarray:
    """Per row, the rank of its (district, date) group: its least sure labelled row (rows of a date go together)."""
    rank = log["confidence"].fillna("").astype(str).map(levels.rank).to_numpy()
    labelled = log["confidence"].fillna("").astype(str).str.strip().ne("").to_numpy()
    keyed = pd.Series(np.where(labelled, rank, -1), index=log.index)
    worst = keyed.groupby([log["idx"], log["date"]]).transform("max").to_numpy()
    return np.where(worst < 0, len(levels.names), worst)  # a group with no label at all ranks last


def filtered(ds, keep: set[int], levels: Levels):
    """The dataset with only the changes whose confidence is in `keep` (starting states always kept)."""
    log = ds.log
    if not len(log):
        return ds
    first = log.groupby("idx")["date"].transform("min")
    ok = (log["date"] == first).to_numpy() | np.isin(_group_rank(log, levels), sorted(keep))
    return replace(ds, log=log[ok].reset_index(drop=True))


def depends_on_unsure(ds, date, keep: set[int], levels: Levels) -> np.ndarray:
    """Per district, whether its holder on `date` differs between every row and the surer rows only."""
    from .figures import state_on
    from .transfer import share_matrix

    sure = filtered(ds, keep, levels)
    a, b = state_on(ds, date), state_on(sure, date)
    actors = sorted(set(a["controller"]) | set(b["controller"]))
    n = len(ds.districts)
    return np.abs(share_matrix(a, actors, n) - share_matrix(b, actors, n)).sum(axis=1) > CHANGE_TOLERANCE


def share_range(ds, date, by: str, baseline, keep: set[int], levels: Levels) -> pd.DataFrame:
    """shares() with every row, and each figure's range: `_low`/`_high` are the lower and higher of the
    figure from every row and the figure from the surer changes only (`keep`)."""
    every = shares(ds, date, by, baseline)
    sure = shares(filtered(ds, keep, levels), date, by, baseline).set_index("actor")
    sure = sure.reindex(every["actor"]).fillna(0.0)
    out = every[["actor"]].copy()
    for column in every.columns[1:]:
        both = np.vstack([every[column].to_numpy(dtype=float), sure[column].to_numpy(dtype=float)])
        out[column] = every[column]
        out[f"{column}_low"] = both.min(axis=0)
        out[f"{column}_high"] = both.max(axis=0)
    return out


def timeline_range(ds, keep: set[int], levels: Levels, start=None, end=None, every=None, baseline=None) -> pd.DataFrame:
    """timeline() with every row, and each figure's range on each date, as in share_range: `_low`/`_high` are
    the lower and higher of the figure from every row and from the surer changes only (`keep`)."""
    from .timeline import timeline

    all_rows = timeline(ds, start, end, every, baseline)
    sure = timeline(filtered(ds, keep, levels), start, end, every, baseline)
    key = ["date", "actor"]
    # The surer log has fewer dates; its figures hold until its next date (a state is a step function).
    numeric = [c for c in sure.columns if c not in key and pd.api.types.is_numeric_dtype(sure[c])]
    wide = sure.pivot(index="date", columns="actor", values=numeric)
    dates = sorted(set(all_rows["date"]) | set(wide.index))
    wide = wide.reindex(dates).ffill().fillna(0.0)
    sure = (
        wide.stack("actor", future_stack=True)
        .reindex(pd.MultiIndex.from_frame(all_rows[key]))
        .fillna(0.0)
        .reset_index()
    )
    out = all_rows.copy()
    for column in [c for c in all_rows.columns if c not in key and pd.api.types.is_numeric_dtype(all_rows[c])]:
        both = np.vstack([all_rows[column].to_numpy(dtype=float), sure[column].to_numpy(dtype=float)])
        out[f"{column}_low"] = both.min(axis=0)
        out[f"{column}_high"] = both.max(axis=0)
    return out
