"""The near-zero tolerances, named once, each with the reason for its value.

Figures are sums of float shares and areas: a district split 1/3 each way sums to 0.9999999999999999, and
a +share/-share pair cancels to ~1e-16, not 0. These say how close is "the same" for each purpose.
"""

SHARE_TOLERANCE = 1e-9
"""A log's shares of one district may sum to 1 within this (a CSV writes 1/3 as 0.333333333: 9 digits);
a share within this of 1 is the whole district."""

CHANGE_TOLERANCE = 1e-9
"""A share that moves by less than this between two dates (an overlay's digitising noise: two zone files
that differ by a vertex move a share by ~1e-12) is no change; ties between holders within it are contested."""

WRITE_TOLERANCE = 1e-6
"""An overlay writes a new log row for a district only when one of its shares moves by more than a millionth
of the district: zones re-digitised from one date to the next move boundary shares by ~1e-8, which is
noise, not a change of control."""

NOISE = 1e-9
"""Relative to the total: a summed holding smaller than this is float noise (a gain and a loss that cancel),
shown and counted as zero."""

WHOLE = 1e-9
"""A district count this close to a whole number is shown whole (65, not 65.00): summed split shares."""

EXACT = 1e-12
"""A share within this of 1 is held wholly by one holder (the figures' fast path and labels); a holding below
this (in districts or km²) is no holding in the report's sentences. Far below any share a log writes."""

SHARE_DIGITS = 6
"""Shares are compared at this many decimals when telling whether a district's state changed (changes):
more than any source gives, fewer than float noise."""

STALE_DAYS = 7
"""Days: a date at most this many days after the log's last row is not warned about (a log brought up to date
weekly, or a front where nothing changed for a few days, keeps a daily cron job with --date today quiet); a
date this far or more from the log's last date before it has that date named (share, report): between two
snapshots of zones the figures are the older one's."""
