"""The Excel adapter: what the Hitung IKU button runs, through xlwings.

``hitung()`` is called by the template's VBA (``RunPython``) with no argument and takes
the calling workbook; tests pass a book of xlwings' remote engine instead. Reads and
writes go in whole blocks: each sheet's values are read once, and the number of calls
does not grow with the number of rows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import xlwings as xw

from iku_xl.contract import Ref, WorkbookKind, cut, read_manifest
from iku_xl.engine import CellIssue
from iku_xl.errors import IkuXlError, WorkbookError
from iku_xl.hitung import Outcome, run
from iku_xl.outputs import Fill, Write

if TYPE_CHECKING:
    from iku_xl.consolidation import Consolidation

log = logging.getLogger(__name__)

T = TypeVar("T")
ALERT_TITLE = "Hitung IKU"
CONSOLIDATION_TITLE = "Konsolidasi IKU"
FORMULA_STARTS = ("=", "+", "-", "@")


class XlwingsWorkbook:
    """An xlwings Book seen through the contract (implements WorkbookView)."""

    def __init__(self, book: xw.Book) -> None:
        self.book = book
        self._sheets: dict[str, list[list[object]]] = {}
        self._names = {}
        for name in book.names:
            if "!" in name.name:  # sheet-scoped names are not part of the contract
                continue
            try:
                target = name.refers_to_range
            except Exception:
                continue
            if target is not None:
                self._names[name.name] = Ref.parse(target.sheet.name, target.address)
        self._tables = {
            table.name: (sheet.name, table)
            for sheet in book.sheets
            for table in sheet.tables
        }
        # Each sheet is read once, as far as the contract's names and tables reach (and
        # a row below each table): never the whole used range, which a stray value in a
        # far corner can make enormous.
        self._extent: dict[str, tuple[int, int]] = {}
        refs = [*self._names.values(), *filter(None, map(self.table_ref, self._tables))]
        for ref in refs:
            rows, columns = self._extent.get(ref.sheet, (1, 1))
            self._extent[ref.sheet] = (
                max(rows, ref.row + ref.height),
                max(columns, ref.column + ref.width - 1),
            )

    def name_ref(self, name: str) -> Ref | None:
        return self._names.get(name)

    def table_ref(self, table: str) -> Ref | None:
        if table not in self._tables:
            return None
        sheet, found = self._tables[table]
        body = found.data_body_range
        return Ref.parse(sheet, body.address) if body is not None else None

    def read(self, ref: Ref) -> list[list[object]]:
        return cut(self._sheet_values(ref.sheet), ref)

    def cell_issues(self, ref: Ref) -> dict[str, CellIssue]:
        # xlwings' remote protocol carries no merge or row-visibility state, and Excel
        # itself has calculated every formula; nothing here the values do not show.
        return {}

    def apply(self, operations: list[Write | Fill]) -> None:
        """Carry out planned writes, one call per rectangle."""
        for operation in operations:
            target = self.book.sheets[operation.ref.sheet].range(operation.ref.address)
            if isinstance(operation, Write):
                target.value = [
                    [_as_cell_value(v) for v in row] for row in operation.values
                ]
            else:
                target.color = operation.colour

    def _sheet_values(self, sheet: str) -> list[list[object]]:
        if sheet not in self._sheets:
            rows, columns = self._extent.get(sheet, (1, 1))
            block = self.book.sheets[sheet].range((1, 1), (rows, columns))
            self._sheets[sheet] = block.options(ndim=2, err_to_str=True).value or []
        return self._sheets[sheet]


def hitung(book: xw.Book | None = None) -> Outcome | None:
    """Hitung IKU on an open workbook: the calling one when ``book`` is None.

    Writes outputs, messages, highlights and the Rekap IKU sheet, then shows one alert.
    Problems are reported in the workbook, never as a traceback.
    """
    book = book if book is not None else xw.Book.caller()

    def work() -> tuple[Outcome, str]:
        workbook = XlwingsWorkbook(book)
        outcome = run(workbook)
        workbook.apply(outcome.operations)
        return outcome, outcome.summary()

    return _guarded(
        book,
        ALERT_TITLE,
        work,
        "Terjadi kesalahan tak terduga saat menghitung. Isian Anda tidak "
        "diubah. Simpan berkas dan kirimkan ke Subbagian Perencanaan agar "
        "diperiksa.",
    )


def konsolidasi(book: xw.Book | None = None) -> Consolidation | None:
    """The Konsolidasi button: consolidate the folder typed into the Konsolidasi
    workbook (the calling one when ``book`` is None), write the Rekap file and the
    summary."""
    from iku_xl.konsolidasi import (  # the Hitung button never needs these
        read_request,
        run_consolidation,
        sheet_writes,
    )

    book = book if book is not None else xw.Book.caller()

    def work() -> tuple[Consolidation, str]:
        workbook = XlwingsWorkbook(book)
        manifest = read_manifest(workbook)
        if manifest.kind is not WorkbookKind.CONSOLIDATION:
            raise WorkbookError(
                "Konsolidasi dijalankan dari buku kerja Konsolidasi "
                "(konsolidasi_template.xlsm), bukan dari template Bidang."
            )
        request = read_request(workbook, _home(book))
        result = run_consolidation(
            [request.folder], request.output, manifest.catalogue, request.options
        )
        operations = sheet_writes(workbook, result, request.output)
        workbook.apply(operations)
        return result, operations[0].values[0][0]

    return _guarded(
        book,
        CONSOLIDATION_TITLE,
        work,
        "Terjadi kesalahan tak terduga saat konsolidasi. Berkas masukan tidak diubah.",
    )


def _guarded(
    book: xw.Book, title: str, work: Callable[[], tuple[T, str]], unexpected: str
) -> T | None:
    """Run a button's work and end with one alert: its summary, the reason it could
    not be done, or ``unexpected`` (never a traceback)."""
    try:
        result, summary = work()
    except IkuXlError as err:
        book.app.alert(str(err), title=title)
        return None
    except Exception:
        log.exception("%s failed", title)
        book.app.alert(unexpected, title=title)
        return None
    book.app.alert(summary, title=title)
    return result


def _home(book: xw.Book) -> Path:
    # The folder of the workbook, where relative paths typed into it start from.
    full = Path(book.fullname)
    return full.parent if full.parent != Path() else Path.cwd()


def _as_cell_value(value: object) -> object:
    # Excel turns text that starts like a formula into one; an apostrophe keeps it text.
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
