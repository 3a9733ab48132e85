"""What the fault suite checked, for its one summary line (tests/conftest.py prints it at the end of the run).

Every check of the stored rows reports how many it looked at and how many it found lost or half written; the
line adds up these reports, so "0 rows lost" is what the tests asserted, never a constant.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RowTally:
    databases: int = 0
    rows_checked: int = 0
    rows_lost: int = 0


TALLY = RowTally()


def rows_checked(checked: int, lost: int) -> None:
    """One database (or grouping) checked: `checked` rows looked at, `lost` of them missing or half written."""
    TALLY.databases += 1
    TALLY.rows_checked += checked
    TALLY.rows_lost += lost
