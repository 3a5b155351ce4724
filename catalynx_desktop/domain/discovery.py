"""How good a match must be before Discover adds it to a profile's triage list.

Records scoring >= the threshold (default 0.6) become opportunities. With the default weights a
record with no mission match cannot exceed 0.6 however open, rich and eligible it is (a federal
program in another field, a local charity in another field: only one perfect on all five other
dimensions reaches it), while a same-field grant maker, a matching federal program or a
general-purpose foundation in the profile's states lands at 0.65-0.95. Keeping "all" would copy
the whole BMF (~1.9M rows) into every profile's triage list. 0 keeps everything.
"""

from __future__ import annotations

DEFAULT_THRESHOLD = 0.6
