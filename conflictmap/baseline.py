"""A baseline: what an actor (or a group of actors) held on a date.

It is the universe of the motivating question, "of the neighbourhoods the rebels held on 15 November,
what share does the government hold now". Made once from what the user gave (a date and a name), then
passed as one value to the figures, the timeline, the pictures and the report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .actors import Actors
from .names import name_key

__all__ = ["Baseline"]


@dataclass(frozen=True)
class Baseline:
    """What `members` held on `date`, named `label` in titles and sentences.

    Attributes
    ----------
    date : datetime.date
        The baseline date D0.
    members : tuple of str
        The actors whose holdings on D0 are the universe: one actor, or a group's members.
    label : str
        The name titles use: the group's name, or the actor's canonical name ('regime' shown as
        'government' when the actors file makes it an alias).
    """

    date: dt.date
    members: tuple[str, ...]
    label: str

    @classmethod
    def named(cls, actors: Actors, date: dt.date, name: str, option: str = "--baseline-actor") -> "Baseline":
        """The baseline of actor or group `name` on `date`, matched on the actors model.

        Parameters
        ----------
        actors : Actors
            The dataset's actors (names, aliases, groups).
        date : datetime.date
            D0.
        name : str
            An actor, an alias or a group, as the user wrote it.
        option : str
            What to call the name in an error (an unknown actor is a UsageError that says so).
        """
        members = tuple(actors.resolve_query(name, option))
        groups = [g for g in actors.groups if name_key(g) == name_key(name)]
        return cls(date, members, groups[0] if groups else members[0])
