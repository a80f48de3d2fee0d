"""Findings: the problems and notes about cells, kept as data until an adapter shows
them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum


class Severity(Enum):
    """How much a finding matters: an error keeps an IKU from being valid."""

    ERROR = "Kesalahan"
    WARNING = "Peringatan"
    NOTE = "Catatan"


class Rule(Enum):
    """The rule a finding is about; the value is a stable code for machines."""

    CELL_EMPTY = "cell_empty"
    NOT_A_NUMBER = "not_a_number"
    ERROR_VALUE = "error_value"
    NOT_WHOLE = "not_whole"
    NEGATIVE = "negative"
    TOO_LARGE = "too_large"
    ROW_NOT_FILLED = "row_not_filled"
    NUMERATOR_ABOVE_DENOMINATOR = "numerator_above_denominator"
    ZERO_DENOMINATOR = "zero_denominator"
    YEAR_MISSING = "year_missing"
    YEAR_INVALID = "year_invalid"
    PERIOD_MISSING = "period_missing"
    PERIOD_INVALID = "period_invalid"
    TARGET_MISSING = "target_missing"
    TARGET_INVALID = "target_invalid"
    TARGET_OUT_OF_RANGE = "target_out_of_range"
    TARGET_IMPLAUSIBLE = "target_implausible"
    ROWS_MISSING = "rows_missing"
    FILLER_MISSING = "filler_missing"
    TEXT_CONVERTED = "text_converted"
    MERGED_CELLS = "merged_cells"
    HIDDEN_ROW = "hidden_row"
    DATA_BELOW_TABLE = "data_below_table"
    FORMULA_WITHOUT_VALUE = "formula_without_value"
    CONTRACT_BROKEN = "contract_broken"
    # Consolidation of many workbooks.
    FILE_WARNING = "file_warning"
    SUSPICIOUS_MACROS = "suspicious_macros"
    STORED_OUTPUT_DIFFERS = "stored_output_differs"
    NEVER_COMPUTED = "never_computed"
    DUPLICATE = "duplicate"
    CONFLICT = "conflict"
    NOT_SUBMITTED = "not_submitted"
    OUTSIDE_SELECTION = "outside_selection"


@dataclass(frozen=True)
class Finding:
    """One thing found in one cell (or, with ``cell`` None, in one sheet)."""

    sheet: str
    cell: str | None
    value: object
    rule: Rule
    severity: Severity
    message: str
    file: str | None = None
    related: tuple[str, ...] = ()  # other cells of the same sheet the finding is about

    @property
    def cells(self) -> tuple[str, ...]:
        """Every cell to highlight for this finding."""
        return ((self.cell,) if self.cell else ()) + self.related

    def in_file(self, file: str) -> Finding:
        """The same finding, naming the file it came from."""
        return replace(self, file=file)

    def line(self) -> str:
        """The finding as one line for staff: severity, place, message."""
        place = f"{self.sheet}!{self.cell}" if self.cell else self.sheet
        where = f" [{place}]" if place else ""
        return f"{self.severity.value}{where}: {self.message}"
