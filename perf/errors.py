"""What the engine refuses with: problems an officer can fix, and clashes or waits they can retry.

Its own module so the store (the write door), loading, data entry and users share them without
importing each other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an upload or a form, worded for the officer who has to fix it.

    ``row`` is the row as a spreadsheet shows it (the header is row 1); None for the whole file.
    """

    row: int | None
    column: str | None
    value: str | None
    reason: str

    def message(self) -> str:
        """``Row 14, column 'value': 'n/a' is not a number.``"""
        if self.row is not None and self.column is not None:
            return f"Row {self.row}, column '{self.column}': {self.reason}"
        if self.row is not None:
            return f"Row {self.row}: {self.reason}"
        return self.reason


class InputError(ValueError):
    """Raised when a file or form is refused; ``problems`` holds every reason, nothing was saved."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(p.message() for p in self.problems))


class WriteConflictError(RuntimeError):
    """Another session changed the same rows at the same moment; this write was rolled back."""


CONFLICT_MESSAGE = "Someone else saved changes to the same data at the same moment, so nothing was saved. Try again."


class ReferenceChangedError(Exception):
    """The measures, places or services changed since a file was checked in another process
    (``perf.intake.check.reference_fingerprint``): it must be checked again before it is saved."""


class DatabaseUnavailableError(RuntimeError):
    """The database file cannot be opened now; the message says why and what to do."""


def show(value: str) -> str:
    """A cell quoted for a message: control characters made visible, long text shortened."""
    text = value if len(value) <= 60 else value[:57] + "…"
    text = re.sub(r"[\x00-\x1f\x7f]", lambda m: repr(m.group())[1:-1], text)
    return f"'{text}'"
