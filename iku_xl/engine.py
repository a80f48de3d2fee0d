"""The IKU engine: validate one Bidang sheet's raw inputs and compute its IKU.

Pure Python over plain data; it imports no Excel library, so the Excel button, the CLI
and consolidation cannot disagree. The arithmetic (see docs/domain.md):

- IKU value (realisasi) = sum of numerators / sum of denominators: a ratio of sums;
- capaian = realisasi / target, for higher-is-better indicators;
- predikat = the band of the catalogue's scale that the capaian (in percent) falls in.

Realisasi, target and capaian are fractions, as Excel stores percentages (0.8711 is
87,11%).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from fractions import Fraction

from iku_xl.catalogue import MAX_YEAR, MIN_YEAR, Catalogue, Indicator
from iku_xl.findings import Finding, Rule, Severity
from iku_xl.formatting import format_count
from iku_xl.numbers import (
    MAX_COUNT,
    Problem,
    Reading,
    is_blank,
    read_count,
    read_number,
)

MAX_QUOTED = 40  # characters of a cell's value repeated in a message
PERCENT_PLACES = 2  # how Realisasi, Target and Capaian are shown (0.00%)
# A coverage target below 1% is a typing slip far more often than a plan.
MIN_PLAUSIBLE_TARGET = Decimal("0.01")
PERIODS = ("TW I", "TW II", "TW III", "TW IV", "Tahunan")

_COUNT_PROBLEMS = {
    Problem.NOT_A_NUMBER: (Rule.NOT_A_NUMBER, "bukan angka"),
    Problem.ERROR_VALUE: (Rule.ERROR_VALUE, "nilai galat Excel"),
    Problem.BOOLEAN: (
        Rule.NOT_A_NUMBER,
        "nilai logika (TRUE/FALSE), bukan angka",
    ),
    Problem.DATE: (Rule.NOT_A_NUMBER, "tanggal atau waktu, bukan jumlah"),
    Problem.PERCENT: (Rule.NOT_A_NUMBER, "persentase, padahal yang diminta jumlah"),
    Problem.NOT_WHOLE: (Rule.NOT_WHOLE, "bukan bilangan bulat"),
    Problem.NEGATIVE: (Rule.NEGATIVE, "bernilai negatif"),
    Problem.TOO_LARGE: (
        Rule.TOO_LARGE,
        f"terlalu besar untuk sebuah jumlah (paling banyak {MAX_COUNT:_})".replace(
            "_", "."
        ),
    ),
}
_COUNT_ALLOWED = (
    "Yang diizinkan: bilangan bulat 0 atau lebih, misalnya 1234 atau 1.234."
)


def match_period(value: object) -> str | None:
    """The period ``value`` names, ignoring case and spacing ("tw  i" is TW I)."""
    text = " ".join(str(value).split()).casefold()
    return next((p for p in PERIODS if p.casefold() == text), None)


class CellIssue(Enum):
    """Something about a cell that its value does not show."""

    MERGED = "merged"
    HIDDEN_ROW = "hidden_row"
    FORMULA_WITHOUT_VALUE = "formula_without_value"


class Status(Enum):
    """The state of one IKU after Hitung; the value is the label staff see."""

    VALID = "Valid"
    NOT_FILLED = "Belum diisi"
    NOT_COMPUTABLE = "Tidak dapat dihitung"
    HAS_ERRORS = "Ada kesalahan"
    # Only consolidation gives these: nobody sent the IKU, or two sent it differently.
    NOT_SUBMITTED = "Belum dikirim"
    CONFLICT = "Konflik"


@dataclass(frozen=True)
class CellValue:
    """A raw cell value as read from a workbook, with its A1 address on its sheet."""

    address: str
    value: object = None


@dataclass(frozen=True)
class RowInput:
    """One row of an input table: component, numerator, denominator, note."""

    component: CellValue
    numerator: CellValue
    denominator: CellValue
    note: CellValue


@dataclass(frozen=True)
class IndicatorInput:
    """Everything a Bidang sheet holds for one IKU, raw, as the contract reads it."""

    indicator: Indicator
    sheet: str
    year: CellValue
    period: CellValue
    target: CellValue
    filler_name: CellValue
    filler_nip: CellValue
    filled_on: CellValue
    rows: tuple[RowInput, ...]
    # What the cells' values alone do not show: address -> issue, from the adapter.
    issues: Mapping[str, CellIssue] = field(default_factory=dict)
    # The count cells of the row just below the table, which the table does not cover.
    below: tuple[CellValue, ...] = ()


@dataclass(frozen=True)
class BrokenInput:
    """A Bidang sheet whose contract names or table are missing or broken (#REF!)."""

    indicator: Indicator
    sheet: str
    message: str


@dataclass(frozen=True)
class IndicatorResult:
    """What Hitung found for one IKU.

    Percentages are fractions, None where not computed.
    """

    indicator: Indicator
    sheet: str
    status: Status
    reason: str
    year: int | None = None
    period: str | None = None
    target: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    realisation: float | None = None
    achievement: float | None = None
    predicate: str | None = None
    scale: str = ""
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)


def evaluate(
    inputs: IndicatorInput | BrokenInput, catalogue: Catalogue
) -> IndicatorResult:
    """Validate one IKU's raw inputs and compute it, collecting every finding."""
    if isinstance(inputs, BrokenInput):
        finding = Finding(
            inputs.sheet,
            None,
            None,
            Rule.CONTRACT_BROKEN,
            Severity.ERROR,
            inputs.message,
        )
        return IndicatorResult(
            inputs.indicator,
            inputs.sheet,
            Status.HAS_ERRORS,
            inputs.message,
            scale=catalogue.scale.name,
            findings=(finding,),
        )
    check = _Checker(inputs.sheet, inputs.issues)
    rows = [row for row in inputs.rows if not _row_is_blank(row)]
    if all(is_blank(r.numerator.value) and is_blank(r.denominator.value) for r in rows):
        return IndicatorResult(
            indicator=inputs.indicator,
            sheet=inputs.sheet,
            status=Status.NOT_FILLED,
            reason="Tabel komponen belum diisi.",
            scale=catalogue.scale.name,
        )

    check.structure(inputs)
    check.row_count(inputs)
    year = check.year(inputs.year, catalogue.year)
    period = check.period(inputs.period)
    target = check.target(inputs.target)
    check.filler(inputs.filler_name)
    counts = [check.row(row) for row in rows]

    numerator = denominator = None
    if all(pair is not None for pair in counts):
        numerator = sum(pair[0] for pair in counts)
        denominator = sum(pair[1] for pair in counts)
        check.totals(numerator, denominator, inputs.indicator)

    realisation = achievement = predicate = None
    if numerator is not None and denominator:
        value = Fraction(numerator, denominator)
        realisation = float(value)
        if target is not None:
            achievement = float(value / target)
            # Classified as shown: 90,996% is displayed 91,00%, and is Sangat Tinggi.
            shown = round(achievement * 100, PERCENT_PLACES)
            predicate = catalogue.scale.predicate(shown)

    status, reason = _status(check.findings, denominator)
    return IndicatorResult(
        indicator=inputs.indicator,
        sheet=inputs.sheet,
        status=status,
        reason=reason,
        year=year,
        period=period,
        target=float(target) if target is not None else None,
        numerator=numerator,
        denominator=denominator,
        realisation=realisation,
        achievement=achievement,
        predicate=predicate,
        scale=catalogue.scale.name,
        findings=tuple(check.findings),
    )


def _status(findings: list[Finding], denominator: int | None) -> tuple[Status, str]:
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        return Status.HAS_ERRORS, f"{len(errors)} kesalahan; lihat pesan pemeriksaan."
    if denominator == 0:
        return Status.NOT_COMPUTABLE, "Jumlah penyebut 0: IKU tidak dapat dihitung."
    warnings = sum(f.severity is Severity.WARNING for f in findings)
    if warnings:
        return Status.VALID, f"Valid, dengan {warnings} peringatan."
    return Status.VALID, "Semua isian valid."


def _row_is_blank(row: RowInput) -> bool:
    return all(
        is_blank(cell.value)
        for cell in (row.component, row.numerator, row.denominator, row.note)
    )


class _Checker:
    """Collects the findings of one sheet while reading its cells."""

    def __init__(self, sheet: str, issues: Mapping[str, CellIssue]) -> None:
        self.sheet = sheet
        self.issues = issues
        self.findings: list[Finding] = []

    def row_count(self, inputs: IndicatorInput) -> None:
        """A table with fewer rows than the catalogue's components lost a row."""
        expected = len(inputs.indicator.components)
        if len(inputs.rows) < expected:
            first = inputs.rows[0].component if inputs.rows else CellValue("A1")
            self.add(
                first,
                Rule.ROWS_MISSING,
                Severity.ERROR,
                f"Tabel di lembar '{self.sheet}' hanya punya {len(inputs.rows)} baris "
                f"komponen, padahal IKU {inputs.indicator.number} punya {expected} "
                "komponen: ada baris yang terhapus. Salin isian ke template baru dari "
                "Subbagian Perencanaan.",
            )

    def structure(self, inputs: IndicatorInput) -> None:
        """What the table's shape hides: merged and hidden cells, data below it."""
        for row in inputs.rows:
            cells = (row.numerator, row.denominator)
            if any(self.issues.get(c.address) is CellIssue.MERGED for c in cells):
                cell = next(
                    c for c in cells if self.issues.get(c.address) is CellIssue.MERGED
                )
                self.add(
                    cell,
                    Rule.MERGED_CELLS,
                    Severity.ERROR,
                    f"Sel {cell.address} di tabel lembar '{self.sheet}' digabung "
                    "(merge) dengan sel lain, sehingga isinya tidak dapat dibaca "
                    "per komponen. Pisahkan gabungan sel (Unmerge) lalu isi setiap "
                    "sel.",
                )
            hidden = self.issues.get(row.component.address) is CellIssue.HIDDEN_ROW
            if hidden and not all(is_blank(c.value) for c in cells):
                self.add(
                    row.numerator,
                    Rule.HIDDEN_ROW,
                    Severity.WARNING,
                    f"Baris {_row_number(row.numerator.address)} di lembar "
                    f"'{self.sheet}' tersembunyi tetapi berisi data, dan "
                    "ikut dihitung. Tampilkan baris itu (Unhide) dan periksa isinya.",
                )
        for cell in inputs.below:
            if not is_blank(cell.value):
                self.add(
                    cell,
                    Rule.DATA_BELOW_TABLE,
                    Severity.WARNING,
                    f"Sel {cell.address} di bawah tabel lembar '{self.sheet}' berisi "
                    f"{_quote(cell.value)}, tetapi tidak ikut dihitung karena di luar "
                    "tabel. Bila itu sebuah komponen, perluas tabel hingga baris itu.",
                )

    def add(
        self,
        cell: CellValue,
        rule: Rule,
        severity: Severity,
        message: str,
        related: tuple[str, ...] = (),
    ) -> None:
        self.findings.append(
            Finding(
                self.sheet,
                cell.address,
                cell.value,
                rule,
                severity,
                message,
                related=related,
            )
        )

    def where(self, cell: CellValue, label: str) -> str:
        return f"{label} di lembar '{self.sheet}' sel {cell.address}"

    def converted(self, cell: CellValue, reading: Reading, label: str) -> None:
        if reading.coercion:
            self.add(
                cell,
                Rule.TEXT_CONVERTED,
                Severity.NOTE,
                f"{self.where(cell, label)} berisi teks {_quote(cell.value)}; "
                f"dibaca sebagai {_plain(reading.number)} ({reading.coercion}). "
                "Periksa bahwa itu yang dimaksud.",
            )

    def year(self, cell: CellValue, expected: int) -> int | None:
        where = self.where(cell, "Tahun")
        reading = read_count(cell.value)
        if reading.is_empty:
            self.add(
                cell,
                Rule.YEAR_MISSING,
                Severity.ERROR,
                f"{where} belum diisi. Isi tahun laporan, misalnya {expected}.",
            )
            return None
        year = int(reading.number) if reading.number is not None else None
        if year is None or not MIN_YEAR <= year <= MAX_YEAR:
            self.add(
                cell,
                Rule.YEAR_INVALID,
                Severity.ERROR,
                f"{where} berisi {_quote(cell.value)}, bukan tahun. "
                f"Isi tahun empat angka, misalnya {expected}.",
            )
            return None
        if year != expected:
            self.add(
                cell,
                Rule.YEAR_INVALID,
                Severity.ERROR,
                f"{where} berisi {_quote(cell.value)}, padahal template ini untuk "
                f"tahun {expected}. Isi {expected} atau gunakan template tahun "
                f"{year}.",
            )
            return None
        self.converted(cell, reading, "Tahun")
        return year

    def period(self, cell: CellValue) -> str | None:
        where = self.where(cell, "Periode")
        allowed = ", ".join(PERIODS)
        if is_blank(cell.value):
            self.add(
                cell,
                Rule.PERIOD_MISSING,
                Severity.ERROR,
                f"{where} belum diisi. Pilih salah satu: {allowed}.",
            )
            return None
        period = match_period(cell.value)
        if period is not None:
            return period
        self.add(
            cell,
            Rule.PERIOD_INVALID,
            Severity.ERROR,
            f"{where} berisi {_quote(cell.value)}. Pilih salah satu: {allowed}.",
        )
        return None

    def target(self, cell: CellValue) -> Fraction | None:
        where = self.where(cell, "Target")
        reading = read_number(cell.value)
        if reading.is_empty:
            self.add(
                cell,
                Rule.TARGET_MISSING,
                Severity.ERROR,
                f"{where} belum diisi: nilai IKU tetap dihitung, tetapi capaian "
                "tidak. Isi target dalam persen, misalnya 90%.",
            )
            return None
        if reading.number is None:
            self.add(
                cell,
                Rule.TARGET_INVALID,
                Severity.ERROR,
                f"{where} berisi {_quote(cell.value)}, bukan persentase. "
                "Isi target dalam persen, misalnya 90%.",
            )
            return None
        if not 0 < reading.number <= 1:
            hint = ""
            if 2 < reading.number <= 100:
                hint = (
                    f" Apakah maksudnya {_plain(reading.number)}%?"
                    " Ketik dengan tanda %."
                )
            self.add(
                cell,
                Rule.TARGET_OUT_OF_RANGE,
                Severity.ERROR,
                f"{where} berisi {_quote(cell.value)} "
                f"(= {_plain(reading.number * 100)}%)."
                f" Target harus lebih dari 0% dan paling tinggi 100%.{hint}",
            )
            return None
        self.converted(cell, reading, "Target")
        if reading.number < MIN_PLAUSIBLE_TARGET:
            self.add(
                cell,
                Rule.TARGET_IMPLAUSIBLE,
                Severity.WARNING,
                f"{where} berisi {_quote(cell.value)} (= "
                f"{_plain(reading.number * 100)}%), sangat kecil untuk target IKU, "
                "sehingga capaian menjadi sangat besar. Periksa target; misalnya 85% "
                "diketik 85% atau 0,85.",
            )
        return Fraction(reading.number)

    def filler(self, cell: CellValue) -> None:
        if is_blank(cell.value):
            self.add(
                cell,
                Rule.FILLER_MISSING,
                Severity.WARNING,
                f"{self.where(cell, 'Nama pengisi')} belum diisi. Isi nama Anda "
                "agar Subbagian Perencanaan tahu siapa yang dapat dihubungi.",
            )

    def row(self, row: RowInput) -> tuple[int, int] | None:
        label = (
            str(row.component.value or "").strip() or f"baris {row.component.address}"
        )
        if is_blank(row.numerator.value) and is_blank(row.denominator.value):
            self.add(
                row.numerator,
                Rule.ROW_NOT_FILLED,
                Severity.ERROR,
                f"Komponen '{label}' di lembar '{self.sheet}' (sel "
                f"{row.numerator.address} dan {row.denominator.address}) belum diisi. "
                "Sel kosong bukan nol: isi 0 bila memang tidak ada.",
                related=(row.denominator.address,),
            )
            return None
        numerator = self.count(row.numerator, f"Pembilang komponen '{label}'")
        denominator = self.count(row.denominator, f"Penyebut komponen '{label}'")
        if numerator is None or denominator is None:
            return None
        if numerator > denominator:
            self.add(
                row.numerator,
                Rule.NUMERATOR_ABOVE_DENOMINATOR,
                Severity.ERROR,
                f"Pembilang komponen '{label}' di lembar '{self.sheet}' sel "
                f"{row.numerator.address} ({format_count(numerator)}) lebih besar dari "
                f"penyebutnya di sel {row.denominator.address} "
                f"({format_count(denominator)}). Pembilang paling banyak sama dengan "
                "penyebut; periksa kedua angka.",
                related=(row.denominator.address,),
            )
            return None
        return numerator, denominator

    def count(self, cell: CellValue, label: str) -> int | None:
        where = self.where(cell, label)
        if self.issues.get(cell.address) is CellIssue.FORMULA_WITHOUT_VALUE:
            self.add(
                cell,
                Rule.FORMULA_WITHOUT_VALUE,
                Severity.ERROR,
                f"{where} berisi rumus {_quote(cell.value)} yang belum pernah "
                "dihitung, jadi nilainya tidak diketahui. Buka berkas di Excel, "
                "simpan ulang, lalu ulangi; atau ketik angkanya langsung.",
            )
            return None
        reading = read_count(cell.value)
        if reading.is_empty:
            self.add(
                cell,
                Rule.CELL_EMPTY,
                Severity.ERROR,
                f"{where} kosong. Sel kosong bukan nol: isi 0 bila memang tidak ada.",
            )
            return None
        if reading.problem is not None:
            rule, what = _COUNT_PROBLEMS[reading.problem]
            self.add(
                cell,
                rule,
                Severity.ERROR,
                f"{where} berisi {_quote(cell.value)}: {what}. {_COUNT_ALLOWED}",
            )
            return None
        self.converted(cell, reading, label)
        return int(reading.number)

    def totals(self, numerator: int, denominator: int, indicator: Indicator) -> None:
        # No row's numerator exceeds its denominator (checked per row), so neither do
        # the sums; only a zero total is left to report.
        if denominator == 0:
            self.findings.append(
                Finding(
                    self.sheet,
                    None,
                    0,
                    Rule.ZERO_DENOMINATOR,
                    Severity.WARNING,
                    f"Jumlah penyebut di lembar '{self.sheet}' adalah 0: "
                    f"IKU {indicator.number} "
                    "tidak dapat dihitung (bukan 0% dan bukan 100%). "
                    "Periksa penyebut setiap "
                    "komponen.",
                )
            )


def _row_number(address: str) -> str:
    return address.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _quote(value: object) -> str:
    """A cell value as staff would recognise it, in quotes: TRUE, 2,5, 01/05/2020."""
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    elif isinstance(value, dt.datetime):
        clock = f" {value:%H:%M}" if value.time() != dt.time() else ""
        text = f"{value:%d/%m/%Y}{clock}"
    elif isinstance(value, dt.date):
        text = f"{value:%d/%m/%Y}"
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, float):
        text = _plain(value)
    else:
        text = str(value)
    if len(text) > MAX_QUOTED:
        text = text[: MAX_QUOTED - 1] + "…"
    return f'"{text}"'


def _plain(number: Decimal | float) -> str:
    text = format(Decimal(str(number)).normalize(), "f")
    return text.replace(".", ",")
