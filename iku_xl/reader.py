"""A fast, read-only view of a workbook on disk, for consolidation.

python-calamine reads cell values and tables; the defined names come from the workbook
part itself (calamine does not read names), parsed with defusedxml.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from pathlib import Path
from xml.etree.ElementTree import Element

from defusedxml import DefusedXmlException, ElementTree
from python_calamine import CalamineError, CalamineWorkbook

from iku_xl.contract import REKAP_MARKER_NAME, Ref, cut
from iku_xl.engine import CellIssue
from iku_xl.errors import WorkbookError, describe
from iku_xl.filetype import UNSAFE_XML

WORKBOOK_PART = "xl/workbook.xml"
# What python-calamine raises on a damaged or odd file.
READER_ERRORS = (CalamineError, OSError, ValueError, zlib.error)
_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_SHEET_REFERENCE = re.compile(
    r"^(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]{1,3}\$?\d+"
    r"(?::\$?[A-Z]{1,3}\$?\d+)?)$"
)


class CalamineView:
    """A workbook on disk seen through the contract (implements WorkbookView)."""

    def __init__(
        self, path: str | Path, data: bytes, names: dict[str, tuple[str, str]]
    ) -> None:
        """``data`` is the workbook's bytes (decrypted if it was protected), ``names``
        its defined names (see ``defined_names``); ``path`` names it in messages."""
        self.path = Path(path)
        self.names = names
        try:
            self.book = CalamineWorkbook.from_filelike(
                io.BytesIO(data), load_tables=True
            )
        except READER_ERRORS as err:
            raise WorkbookError(
                f"Berkas '{self.path.name}' tidak dapat dibaca sebagai buku kerja "
                "Excel: "
                f"rusak atau bukan berkas Excel ({describe(err)})."
            ) from err
        self._sheets: dict[str, list[list[object]]] = {}
        self._calamine_sheets: dict[str, object] = {}

    def name_ref(self, name: str) -> Ref | None:
        reference = self.names.get(name)
        return Ref.parse(*reference) if reference is not None else None

    def table_ref(self, table: str) -> Ref | None:
        if table not in self.book.table_names:
            return None
        try:
            found = self.book.get_table_by_name(table)
        except READER_ERRORS as err:
            raise WorkbookError(
                f"Tabel '{table}' di '{self.path.name}' rusak dan tidak dapat dibaca "
                f"({describe(err)}). Minta pengirim mengirim ulang."
            ) from err
        (first_row, first_col), (last_row, last_col) = found.start, found.end
        return Ref(
            found.sheet,
            first_row + 1,
            first_col + 1,
            last_row - first_row + 1,
            last_col - first_col + 1,
        )

    def read(self, ref: Ref) -> list[list[object]]:
        return [[_value(v) for v in row] for row in cut(self._sheet(ref.sheet), ref)]

    def cell_issues(self, ref: Ref) -> dict[str, CellIssue]:
        # calamine tells merged cells but not hidden rows; uncalculated formulas and
        # error cells look empty here, and intake reads such sheets again with openpyxl.
        issues = {}
        self._sheet(ref.sheet)
        sheet = self._calamine_sheets[ref.sheet]
        for (first_row, first_col), (last_row, last_col) in (
            sheet.merged_cell_ranges or ()
        ):
            for row in range(
                max(first_row + 1, ref.row),
                min(last_row + 1, ref.row + ref.height - 1) + 1,
            ):
                for col in range(
                    max(first_col + 1, ref.column),
                    min(last_col + 1, ref.column + ref.width - 1) + 1,
                ):
                    issues[Ref(ref.sheet, row, col).cell()] = CellIssue.MERGED
        return issues

    def _sheet(self, sheet: str) -> list[list[object]]:
        if sheet not in self._sheets:
            try:
                found = self.book.get_sheet_by_name(sheet)
                self._sheets[sheet] = found.to_python(skip_empty_area=False)
                self._calamine_sheets[sheet] = found
            except READER_ERRORS as err:
                raise WorkbookError(
                    f"Lembar '{sheet}' di '{self.path.name}' rusak dan tidak dapat "
                    f"dibaca ({describe(err)}). Minta pengirim mengirim ulang."
                ) from err
        return self._sheets[sheet]


def workbook_part(path: Path, package: zipfile.ZipFile) -> Element:
    """The parsed xl/workbook.xml of an open package (defusedxml: no entity tricks).

    Raises:
        WorkbookError: the part is missing, damaged or unsafe.
    """
    try:
        return ElementTree.fromstring(package.read(WORKBOOK_PART))
    except (
        zipfile.BadZipFile,
        KeyError,
        OSError,
        zlib.error,
        ElementTree.ParseError,
    ) as err:
        raise WorkbookError(
            f"Berkas '{path.name}' rusak atau terpotong: bukan buku kerja Excel yang "
            f"utuh ({describe(err)})."
        ) from err
    except DefusedXmlException as err:
        raise WorkbookError(f"Berkas '{path.name}' {UNSAFE_XML}") from err


def defined_names(workbook: Element) -> dict[str, tuple[str, str]]:
    """The workbook-scope defined names that point at one rectangle of one sheet: name
    to (sheet, A1 address)."""
    names = {}
    for element in workbook.iter(f"{_MAIN_NS}definedName"):
        if element.get("localSheetId") is not None or not element.text:
            continue
        match = _SHEET_REFERENCE.match(element.text.strip())
        if match:
            sheet = (match.group(1) or "").replace("''", "'") or match.group(2)
            names[element.get("name")] = (sheet, match.group(3))
    return names


def _value(value: object) -> object:
    # calamine gives "" for an empty cell inside the used area; the engine wants None.
    return None if value == "" else value


def is_rekap(path: Path) -> bool:
    """Whether ``path`` is a Rekap that iku-xl wrote (see REKAP_MARKER_NAME)."""
    try:
        with zipfile.ZipFile(path) as package:
            return REKAP_MARKER_NAME in defined_names(workbook_part(path, package))
    except (WorkbookError, zipfile.BadZipFile, OSError):
        return False
