"""Shared test hooks: the fault suite's summary line (issue 21).

At the end of a run that included fault tests (`tests/test_faults_*.py`) one line says how many fault cases
were tried and how many stored rows their checks found lost (tests/faults/tally.py adds up what each
`assert_no_half_written_rows` and each kill test saw): `fault suite: 74 cases tried, 0 rows lost (...)`.
"""

from __future__ import annotations

from faults.tally import TALLY

FAULT_FILES = "test_faults_"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    outcomes = {"passed": 0, "failed": 0, "error": 0}
    for outcome in outcomes:
        for report in terminalreporter.stats.get(outcome, []):
            if FAULT_FILES in getattr(report, "nodeid", "") and (report.when == "call" or outcome != "passed"):
                outcomes[outcome] += 1
    tried = sum(outcomes.values())
    if not tried:
        return
    failed = outcomes["failed"] + outcomes["error"]
    tail = f", {failed} failed" if failed else ""
    terminalreporter.write_line(
        f"fault suite: {tried} cases tried, {TALLY.rows_lost} rows lost "
        f"({TALLY.rows_checked} rows in {TALLY.databases} databases checked{tail})")
