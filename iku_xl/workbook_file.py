"""The file adapter: a workbook on disk, read and written through openpyxl.

Writes go to a temporary file beside the target, which then replaces the target in one
step, so a failed run never leaves a half-written workbook behind.
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.styles import PatternFill
from openpyxl.workbook.workbook import Workbook

from iku_xl.atomic import write_atomically
from iku_xl.contract import Ref
from iku_xl.engine import CellIssue
from iku_xl.errors import OutputError, WorkbookError, describe
from iku_xl.filetype import MACRO_SUFFIXES, UNSAFE_XML, encrypt, load
from iku_xl.hitung import Outcome, run
from iku_xl.outputs import Fill, Write


class FileWorkbook:
    """A workbook on disk seen through the contract (implements WorkbookView)."""

    def __init__(self, path: str | Path, password: str | None = None) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise WorkbookError(f"Berkas '{self.path}' tidak ditemukan.")
        if not self.path.is_file():
            raise WorkbookError(
                f"'{self.path}' bukan berkas biasa (folder, pipa, atau perangkat)."
            )
        self._data, self.sniff = load(self.path, password)
        self._password = password if self.sniff.encrypted else None
        self.book = self._load(data_only=False)
        self._cached: Workbook | None = None
        self._tables = {
            name: (sheet.title, sheet.tables[name])
            for sheet in self.book.worksheets
            for name in sheet.tables
        }

    def name_ref(self, name: str) -> Ref | None:
        defined = self.book.defined_names.get(name)
        if defined is None:
            return None
        try:
            destinations = list(defined.destinations)
            if len(destinations) != 1 or destinations[0][0] not in self.book.sheetnames:
                return None
            sheet, address = destinations[0]
            return Ref.parse(sheet, address)
        except (WorkbookError, ValueError, TypeError):
            return None  # a name pointing at #REF! or at something other than cells

    def table_ref(self, table: str) -> Ref | None:
        if table not in self._tables:
            return None
        sheet, found = self._tables[table]
        whole = Ref.parse(sheet, found.ref)
        header = found.headerRowCount if found.headerRowCount is not None else 1
        totals = found.totalsRowCount or 0
        return Ref(
            sheet,
            whole.row + header,
            whole.column,
            whole.height - header - totals,
            whole.width,
        )

    def read(self, ref: Ref) -> list[list[object]]:
        cells = self._cells(self.book, ref)
        if not any(c.data_type == "f" for row in cells for c in row):
            return [[c.value for c in row] for row in cells]
        # A formula's value is what a spreadsheet program last saved; one that was
        # never calculated has none, and its text is passed on, to be refused.
        cached = self._cells(self._cached_book(), ref)
        return [
            [
                c.value if c.data_type != "f" or k.value is None else k.value
                for c, k in zip(row, cached_row, strict=True)
            ]
            for row, cached_row in zip(cells, cached, strict=True)
        ]

    def cell_issues(self, ref: Ref) -> dict[str, CellIssue]:
        sheet = self.book[ref.sheet]
        issues: dict[str, CellIssue] = {}
        last_row, last_col = ref.row + ref.height - 1, ref.column + ref.width - 1
        for merged in sheet.merged_cells.ranges:
            for row in range(
                max(merged.min_row, ref.row), min(merged.max_row, last_row) + 1
            ):
                for col in range(
                    max(merged.min_col, ref.column), min(merged.max_col, last_col) + 1
                ):
                    issues[Ref(ref.sheet, row, col).cell()] = CellIssue.MERGED
        for row in range(ref.row, last_row + 1):
            dimension = sheet.row_dimensions.get(row)
            if dimension is not None and dimension.hidden:
                issues[Ref(ref.sheet, row, ref.column).cell()] = CellIssue.HIDDEN_ROW
        cells = self._cells(self.book, ref)
        if any(c.data_type == "f" for row in cells for c in row):
            cached = self._cells(self._cached_book(), ref)
            for row, cached_row in zip(cells, cached, strict=True):
                for cell, value in zip(row, cached_row, strict=True):
                    if cell.data_type == "f" and value.value is None:
                        issues[cell.coordinate] = CellIssue.FORMULA_WITHOUT_VALUE
        return issues

    def apply(self, operations: list[Write | Fill]) -> None:
        """Carry out planned writes in memory; ``save`` puts them on disk."""
        for operation in operations:
            sheet = self.book[operation.ref.sheet]
            ref = operation.ref
            if isinstance(operation, Write):
                for r, row in enumerate(operation.values):
                    for c, value in enumerate(row):
                        cell = sheet.cell(ref.row + r, ref.column + c)
                        cell.value = value
                        if isinstance(value, str):
                            cell.data_type = "s"  # text stays text, even '=...'
            else:
                fill = PatternFill(
                    "solid", fgColor=operation.colour.lstrip("#").upper()
                )
                for row in sheet.iter_rows(
                    min_row=ref.row,
                    max_row=ref.row + ref.height - 1,
                    min_col=ref.column,
                    max_col=ref.column + ref.width - 1,
                ):
                    for cell in row:
                        cell.fill = fill

    def save(self, target: str | Path | None = None) -> Path:
        """Write the workbook to ``target`` (default: its own path), atomically."""
        target = Path(target) if target is not None else self.path
        return write_atomically(target, self._write)

    def _write(self, temporary: Path) -> None:
        if self._password is None:
            self.book.save(temporary)
            return
        # A protected workbook goes back protected, with the same password.
        plain = io.BytesIO()
        self.book.save(plain)
        temporary.write_bytes(encrypt(plain.getvalue(), self._password))

    def _load(self, data_only: bool) -> Workbook:
        try:
            return openpyxl.load_workbook(
                io.BytesIO(self._data),
                keep_vba=self.sniff.has_macros,
                data_only=data_only,
                keep_links=True,
            )
        except DefusedXmlException as err:
            raise WorkbookError(f"Berkas '{self.path.name}' {UNSAFE_XML}") from err
        # openpyxl meets untrusted XML and zips; what it raises on a malformed part
        # varies (zip, zlib, XML parse, value and key errors and more).
        except Exception as err:
            raise WorkbookError(
                f"Berkas '{self.path.name}' tidak dapat dibuka sebagai buku kerja "
                "Excel: "
                f"rusak atau bukan berkas Excel ({describe(err)})."
            ) from err

    def _cached_book(self) -> Workbook:
        if self._cached is None:
            self._cached = self._load(data_only=True)
        return self._cached

    @staticmethod
    def _cells(book: Workbook, ref: Ref) -> list[tuple]:
        return list(
            book[ref.sheet].iter_rows(
                min_row=ref.row,
                max_row=ref.row + ref.height - 1,
                min_col=ref.column,
                max_col=ref.column + ref.width - 1,
            )
        )


def hitung_file(
    path: str | Path, output: str | Path | None = None, password: str | None = None
) -> Outcome:
    """Hitung on a workbook on disk: to ``output`` if given, else replacing ``path``.

    Raises:
        WorkbookError: the file cannot be used.
        OutputError: the result cannot be written.
    """
    path = Path(path)
    if output is not None and Path(output).exists() and _same_file(path, Path(output)):
        raise OutputError(
            f"Berkas keluaran '{output}' adalah berkas masukan itu sendiri. Hilangkan "
            "-o untuk menulis hasil ke berkas masukan, atau pilih nama lain."
        )
    workbook = FileWorkbook(path, password)
    target = Path(output) if output is not None else path
    warnings = list(workbook.sniff.warnings)
    macro_name = target.suffix.lower() in MACRO_SUFFIXES
    if workbook.sniff.has_macros and not macro_name:
        if output is not None:
            raise OutputError(
                f"Berkas keluaran '{target}' harus berakhiran .xlsm: buku kerja ini "
                "bermakro, dan Excel menolak membuka buku kerja bermakro yang "
                "berakhiran lain."
            )
        # Written back under its own wrong name, a macro workbook would not open in
        # Excel: its macros go, its data stays.
        workbook.book.vba_archive = None
        warnings.append(
            "Makro dibuang karena nama berkas tidak berakhiran .xlsm; "
            "simpan ulang dari template .xlsm bila tombol diperlukan."
        )
    elif not workbook.sniff.has_macros and macro_name:
        if output is not None:
            raise OutputError(
                f"Berkas keluaran '{target}' harus berakhiran .xlsx: buku kerja ini "
                "tanpa makro, dan Excel menolak membukanya dengan nama .xlsm."
            )
        warnings.append(
            "Buku kerja tanpa makro ini bernama .xlsm; Excel dapat menolak "
            "membukanya. Ganti ekstensinya menjadi .xlsx."
        )
    warnings += _macro_warnings(workbook)
    outcome = run(workbook)
    workbook.apply(outcome.operations)
    workbook.save(target)
    return replace(outcome, warnings=tuple(warnings))


def _same_file(first: Path, second: Path) -> bool:
    try:
        return first.samefile(second)
    except OSError:
        return False


def _macro_warnings(workbook: FileWorkbook) -> list[str]:
    from iku_xl.macros import inspect_macros  # pyopenvba: only when a file is computed
    from iku_xl.reader import workbook_part

    package = workbook.sniff.package
    if package is None:
        return []
    report = inspect_macros(package, workbook_part(workbook.path, package))
    if not report.suspicious:
        return []
    return [
        "Makro berbeda dari template resmi (" + "; ".join(report.reasons) + "). "
        "Jangan aktifkan makro berkas ini; minta template resmi ke Subbagian "
        "Perencanaan."
    ]
