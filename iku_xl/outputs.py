"""What Hitung writes back: output cells, message areas, highlights and the Rekap IKU
sheet, planned as plain writes that each adapter carries out in whole blocks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from iku_xl.contract import (
    ERROR_FILL,
    INPUT_FIELDS,
    INPUT_FILL,
    SUMMARY_MESSAGES_NAME,
    SUMMARY_STAMP_NAME,
    SUMMARY_TABLE_NAME,
    WARNING_FILL,
    Field,
    Ref,
    WorkbookView,
    name_of,
    require_name,
    table_of,
)
from iku_xl.engine import IndicatorResult
from iku_xl.findings import Finding, Severity


@dataclass(frozen=True)
class Write:
    """Values for a rectangle, a list of rows exactly its size."""

    ref: Ref
    values: list[list[object]]


@dataclass(frozen=True)
class Fill:
    """A fill colour ('#RRGGBB') for a rectangle."""

    ref: Ref
    colour: str


def plan(
    view: WorkbookView, results: list[IndicatorResult], stamp: str
) -> list[Write | Fill]:
    """Every write of one Hitung, in the order an adapter should carry them out."""
    operations: list[Write | Fill] = []
    for result in results:
        operations += _indicator_writes(view, result)
    operations += _summary_writes(view, results, stamp)
    return operations


def output_values(result: IndicatorResult) -> dict[Field, object]:
    """The value of each output field of one IKU (None clears the cell)."""
    return {
        Field.NUMERATOR: result.numerator,
        Field.DENOMINATOR: result.denominator,
        Field.REALISATION: result.realisation,
        Field.ACHIEVEMENT: result.achievement,
        Field.PREDICATE: result.predicate,
        Field.STATUS: result.status.value,
        Field.REASON: result.reason,
    }


def summary_row(result: IndicatorResult) -> list[object]:
    """One IKU's row of the Rekap IKU table, in the order of SUMMARY_COLUMNS."""
    indicator = result.indicator
    return [
        indicator.number,
        indicator.name,
        indicator.division,
        result.year,
        result.period,
        result.numerator,
        result.denominator,
        result.realisation,
        result.target,
        result.achievement,
        result.predicate,
        result.status.value,
        result.reason,
    ]


def _indicator_writes(
    view: WorkbookView, result: IndicatorResult
) -> list[Write | Fill]:
    # A broken sheet (BrokenInput) may lack some names: what can be shown is shown.
    number = result.indicator.number
    operations: list[Write | Fill] = []
    for field, value in output_values(result).items():
        ref = view.name_ref(name_of(number, field))
        if ref is not None:
            operations.append(Write(ref, [[value]]))

    area = view.name_ref(name_of(number, Field.MESSAGES))
    if area is not None:
        lines = _fit(
            [f.line() for f in result.findings],
            area.height,
            "... dan {} pesan lain; daftar lengkap ada di lembar Rekap IKU.",
        )
        operations.append(
            Write(area, [[line] + [None] * (area.width - 1) for line in lines])
        )

    # Highlights are cleared by painting every input cell its input colour again.
    body = view.table_ref(table_of(number))
    if body is not None:
        operations.append(
            Fill(Ref(body.sheet, body.row, body.column + 1, body.height, 2), INPUT_FILL)
        )
    inputs = [view.name_ref(name_of(number, f)) for f in INPUT_FIELDS]
    operations += [Fill(ref, INPUT_FILL) for ref in inputs if ref is not None]
    for severity, colour in (
        (Severity.WARNING, WARNING_FILL),
        (Severity.ERROR, ERROR_FILL),
    ):
        cells = [c for f in result.findings if f.severity is severity for c in f.cells]
        operations += [Fill(ref, colour) for ref in _runs(result.sheet, cells)]
    return operations


def _summary_writes(
    view: WorkbookView, results: list[IndicatorResult], stamp: str
) -> list[Write | Fill]:
    table = require_name(view, SUMMARY_TABLE_NAME)
    rows = [summary_row(r) for r in results]
    rows += [[None] * table.width for _ in range(table.height - len(rows))]

    area = require_name(view, SUMMARY_MESSAGES_NAME)
    findings = [f for r in results for f in r.findings]
    rows_of_findings = [_finding_row(f) for f in findings]
    if len(rows_of_findings) > area.height:
        rest = len(rows_of_findings) - area.height + 1
        rows_of_findings = [
            *rows_of_findings[: area.height - 1],
            [
                None,
                None,
                None,
                None,
                f"... dan {rest} pesan lain: perbaiki yang di atas, lalu klik "
                "Hitung IKU "
                "lagi (atau jalankan iku-xl hitung untuk daftar lengkap).",
            ],
        ]
    rows_of_findings += [
        [None] * area.width for _ in range(area.height - len(rows_of_findings))
    ]
    return [
        Write(table, [row[: table.width] for row in rows]),
        Write(area, rows_of_findings),
        Write(require_name(view, SUMMARY_STAMP_NAME), [[stamp]]),
    ]


def _finding_row(finding: Finding) -> list[object]:
    value = finding.value
    if value is not None and not isinstance(value, int | float | str):
        value = str(value)
    return [finding.severity.value, finding.sheet, finding.cell, value, finding.message]


def _fit(lines: list[str], capacity: int, overflow: str) -> list[str | None]:
    if len(lines) > capacity:
        lines = [*lines[: capacity - 1], overflow.format(len(lines) - capacity + 1)]
    return lines + [None] * (capacity - len(lines))


def _runs(sheet: str, cells: Iterable[str]) -> list[Ref]:
    """Cells grouped into vertical runs, so highlights cost one write per run."""
    by_column: dict[int, set[int]] = {}
    for cell in cells:
        ref = Ref.parse(sheet, cell)
        by_column.setdefault(ref.column, set()).add(ref.row)
    runs = []
    for column, rows in sorted(by_column.items()):
        ordered = sorted(rows)
        start = previous = ordered[0]
        for row in [*ordered[1:], None]:
            if row is not None and row == previous + 1:
                previous = row
                continue
            runs.append(Ref(sheet, start, column, previous - start + 1, 1))
            if row is not None:
                start = previous = row
    return runs
