"""The workbook contract: the names and tables through which every workbook is read and
written. Nothing in iku-xl uses a fixed cell address; the builder places the cells and
names them, and both adapters find them again by these names
(docs/workbook-contract.md).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Protocol

from iku_xl.catalogue import Catalogue, Indicator, parse_catalogue
from iku_xl.engine import BrokenInput, CellIssue, CellValue, IndicatorInput, RowInput
from iku_xl.errors import CatalogueError, ContractError, WorkbookError

TEMPLATE_VERSION = "2"  # raise with every change of names, columns or layout

INSTRUCTIONS_SHEET = "Petunjuk"
SUMMARY_SHEET = "Rekap IKU"
CONFIG_SHEET = "xlwings.conf"
MANIFEST_SHEET = "Manifest"

TABLE_COLUMNS = ("Komponen", "Pembilang", "Penyebut", "Keterangan")
SUMMARY_COLUMNS = (
    "IKU",
    "Indikator",
    "Bidang",
    "Tahun",
    "Periode",
    "Pembilang",
    "Penyebut",
    "Realisasi",
    "Target",
    "Capaian",
    "Predikat",
    "Status",
    "Alasan",
)
SUMMARY_MESSAGE_COLUMNS = ("Jenis", "Lembar", "Sel", "Nilai", "Pesan")
MESSAGE_ROWS = 20
SUMMARY_MESSAGE_ROWS = 100

MANIFEST_NAME = "IKU_Manifest"
SUMMARY_TABLE_NAME = "Rekap_Tabel"
SUMMARY_MESSAGES_NAME = "Rekap_Pesan"
SUMMARY_STAMP_NAME = "Rekap_Waktu"
# Marks a consolidated Rekap workbook, so that a later run neither reads it as a
# submission nor writes a Rekap over anything else.
REKAP_MARKER_NAME = "IKU_Rekap"

# The Konsolidasi workbook: the planners' button that consolidates a folder.
CONSOLIDATION_SHEET = "Konsolidasi"
CONSOLIDATION_FOLDER_NAME = "Konsolidasi_Folder"
CONSOLIDATION_OUTPUT_NAME = "Konsolidasi_Keluaran"
CONSOLIDATION_YEAR_NAME = "Konsolidasi_Tahun"
CONSOLIDATION_PERIOD_NAME = "Konsolidasi_Periode"
CONSOLIDATION_LATEST_NAME = "Konsolidasi_AmbilTerbaru"
CONSOLIDATION_SUMMARY_NAME = "Konsolidasi_Ringkasan"
CONSOLIDATION_RESULT_NAME = "Konsolidasi_Hasil"
CONSOLIDATION_MESSAGES_NAME = "Konsolidasi_Pesan"
CONSOLIDATION_COLUMNS = (
    "IKU",
    "Bidang",
    "Realisasi",
    "Target",
    "Capaian",
    "Predikat",
    "Status",
    "Berkas",
    "Alasan",
)
CONSOLIDATION_MESSAGE_ROWS = 60
YES, NO = "Ya", "Tidak"

# Fill colours of input cells: as built, and when a finding points at them.
INPUT_FILL = "#FFF2CC"
ERROR_FILL = "#F4B6B6"
WARNING_FILL = "#FFD08A"

# An A1 address, absolute or relative, of one cell or of a rectangle.
_ADDRESS = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")


class Field(Enum):
    """A named cell of a Bidang sheet; the value is the suffix of its defined name."""

    YEAR = "Tahun"
    PERIOD = "Periode"
    TARGET = "Target"
    FILLER_NAME = "Nama"
    FILLER_NIP = "NIP"
    FILLED_ON = "Tanggal"
    NUMERATOR = "Pembilang"
    DENOMINATOR = "Penyebut"
    REALISATION = "Realisasi"
    ACHIEVEMENT = "Capaian"
    PREDICATE = "Predikat"
    STATUS = "Status"
    REASON = "Alasan"  # why the status is what it is ("Keterangan" is the note column)
    MESSAGES = "Pesan"


INPUT_FIELDS = (
    Field.YEAR,
    Field.PERIOD,
    Field.TARGET,
    Field.FILLER_NAME,
    Field.FILLER_NIP,
    Field.FILLED_ON,
)
OUTPUT_FIELDS = (
    Field.NUMERATOR,
    Field.DENOMINATOR,
    Field.REALISATION,
    Field.ACHIEVEMENT,
    Field.PREDICATE,
    Field.STATUS,
    Field.REASON,
)
PERCENT_FIELDS = (Field.TARGET, Field.REALISATION, Field.ACHIEVEMENT)


def name_of(number: int, field: Field) -> str:
    """The workbook-scope defined name of ``field`` for IKU ``number``: IKU1_Target."""
    return f"IKU{number}_{field.value}"


def table_of(number: int) -> str:
    """The name of IKU ``number``'s input table: Tabel_IKU1."""
    return f"Tabel_IKU{number}"


@dataclass(frozen=True)
class Ref:
    """A rectangle of cells on one sheet; rows and columns count from 1."""

    sheet: str
    row: int
    column: int
    height: int = 1
    width: int = 1

    @classmethod
    def parse(cls, sheet: str, address: str) -> Ref:
        """A Ref from an A1 address such as '$B$4' or 'A17:D20'."""
        return _parse_ref(sheet, address)

    def cell(self, row_offset: int = 0, column_offset: int = 0) -> str:
        """The A1 address of one cell inside this rectangle."""
        return f"{column_letter(self.column + column_offset)}{self.row + row_offset}"

    @property
    def address(self) -> str:
        """The A1 address of the whole rectangle."""
        last = self.cell(self.height - 1, self.width - 1)
        first = self.cell()
        return first if first == last else f"{first}:{last}"


class WorkbookView(Protocol):
    """What an adapter offers the contract: names, tables, and blocks of values."""

    def name_ref(self, name: str) -> Ref | None:
        """Where a workbook-scope defined name points, or None if it is not there."""

    def table_ref(self, table: str) -> Ref | None:
        """The data body of an Excel Table, or None if there is no such table."""

    def read(self, ref: Ref) -> list[list[object]]:
        """The values of a rectangle, as a list of rows of raw cell values."""

    def cell_issues(self, ref: Ref) -> dict[str, CellIssue]:
        """What the values of a rectangle do not show (merged cells, hidden rows,
        formulas never calculated), by A1 address; rows are keyed by their first
        cell. Empty where the adapter cannot tell."""


class WorkbookKind(Enum):
    """Which of iku-xl's workbooks a manifest belongs to."""

    TEMPLATE = "template"  # the Bidang workbook with Hitung IKU
    CONSOLIDATION = "konsolidasi"  # the planners' Konsolidasi workbook


@dataclass(frozen=True)
class Manifest:
    """What the hidden manifest sheet says about the template a workbook came from."""

    template_version: str
    catalogue: Catalogue
    kind: WorkbookKind


def manifest_rows(
    catalogue: Catalogue, chunk: int, kind: WorkbookKind = WorkbookKind.TEMPLATE
) -> list[tuple[str, str]]:
    """The key/value rows the builder writes to the manifest; the catalogue's text is
    cut into pieces of at most ``chunk`` characters, since a cell holds a limited
    text."""
    rows = [
        ("template_version", TEMPLATE_VERSION),
        ("workbook", kind.value),
        ("catalogue_digest", catalogue.digest),
        ("office", catalogue.office),
        ("year", str(catalogue.year)),
    ]
    text = catalogue.source
    rows += [("catalogue", text[i : i + chunk]) for i in range(0, len(text), chunk)]
    return rows


def read_manifest(view: WorkbookView, known: Catalogue | None = None) -> Manifest:
    """Read and check the manifest.

    The workbook must be an iku-xl template of this version. When the catalogue text it
    carries is ``known``'s (same SHA-256), ``known`` is returned without parsing again.

    Raises:
        WorkbookError: no manifest, another template version, or a damaged catalogue.
    """
    ref = view.name_ref(MANIFEST_NAME)
    if ref is None:
        raise WorkbookError(
            "Buku kerja ini bukan template iku-xl (nama 'IKU_Manifest' tidak ada). "
            "Gunakan workbook_template.xlsm dari Subbagian Perencanaan."
        )
    values: dict[str, str] = {}
    catalogue_text = []
    for key, value, *_ in view.read(ref):
        if key == "catalogue":
            catalogue_text.append(str(value or ""))
        elif key:
            values[str(key)] = "" if value is None else str(value)
    version = values.get("template_version", "")
    if version != TEMPLATE_VERSION:
        raise WorkbookError(
            f"Buku kerja ini dibuat dari template iku-xl versi '{version}', sedangkan "
            f"program ini memakai versi '{TEMPLATE_VERSION}'. "
            "Minta template terbaru ke "
            "Subbagian Perencanaan."
        )
    try:
        kind = WorkbookKind(values.get("workbook", ""))
    except ValueError as err:
        raise WorkbookError(
            "Manifest template rusak: jenis buku kerja tidak dikenal."
        ) from err
    text = "".join(catalogue_text).encode()
    if known is not None and hashlib.sha256(text).hexdigest() == known.digest:
        return Manifest(version, known, kind)
    try:
        catalogue = parse_catalogue(text, MANIFEST_SHEET)
    except CatalogueError as err:
        raise WorkbookError(f"Manifest template rusak: {err}") from err
    if catalogue.digest != values.get("catalogue_digest"):
        raise WorkbookError(
            "Manifest template rusak: katalog IKU di dalamnya tidak cocok dengan sidik "
            "(hash) yang tercatat. Minta template baru ke Subbagian Perencanaan."
        )
    return Manifest(version, catalogue, kind)


def read_inputs(
    view: WorkbookView, catalogue: Catalogue
) -> list[IndicatorInput | BrokenInput]:
    """Read every IKU's raw inputs through the contract, in catalogue order. A sheet
    whose names or table are missing or broken comes back as a BrokenInput, so the
    other sheets are still computed."""
    inputs: list[IndicatorInput | BrokenInput] = []
    for indicator in catalogue.indicators:
        try:
            inputs.append(_indicator_inputs(view, indicator))
        except ContractError as err:
            inputs.append(BrokenInput(indicator, indicator.sheet, str(err)))
    return inputs


def _indicator_inputs(view: WorkbookView, indicator: Indicator) -> IndicatorInput:
    refs = {
        field: require_name(view, name_of(indicator.number, field))
        for field in INPUT_FIELDS
    }
    body = view.table_ref(table_of(indicator.number))
    if body is None:
        raise ContractError(
            f"Tabel '{table_of(indicator.number)}' di lembar '{indicator.sheet}' "
            "hilang "
            "atau rusak, sehingga IKU ini tidak dapat dibaca. Salin isian ke template "
            "baru dari Subbagian Perencanaan."
        )
    cells = {field: _single(view, ref) for field, ref in refs.items()}
    below = Ref(body.sheet, body.row + body.height, body.column + 1, 1, 2)
    return IndicatorInput(
        indicator=indicator,
        sheet=body.sheet,
        year=cells[Field.YEAR],
        period=cells[Field.PERIOD],
        target=cells[Field.TARGET],
        filler_name=cells[Field.FILLER_NAME],
        filler_nip=cells[Field.FILLER_NIP],
        filled_on=cells[Field.FILLED_ON],
        rows=_rows(body, view.read(body)),
        issues=view.cell_issues(body),
        below=tuple(
            CellValue(below.cell(0, c), v) for c, v in enumerate(view.read(below)[0])
        ),
    )


def require_name(view: WorkbookView, name: str) -> Ref:
    """Where ``name`` points; a WorkbookError when the workbook lacks it."""
    ref = view.name_ref(name)
    if ref is None:
        raise ContractError(
            f"Nama '{name}' tidak ditemukan atau rusak (#REF!): buku kerja ini bukan "
            "template iku-xl yang utuh. Gunakan workbook_template.xlsm dari Subbagian "
            "Perencanaan, atau salin isian ke template baru."
        )
    return ref


# Workbooks from one template hold the same addresses: a consolidation parses each once.
@lru_cache(maxsize=4096)
def _parse_ref(sheet: str, address: str) -> Ref:
    match = _ADDRESS.match(address.strip().upper())
    if not match:
        raise WorkbookError(
            f"Alamat sel '{address}' di lembar '{sheet}' tidak dikenal."
        )
    first_col, first_row, last_col, last_row = match.groups()
    row, column = int(first_row), column_number(first_col)
    last_row_n = int(last_row) if last_row else row
    last_col_n = column_number(last_col) if last_col else column
    return Ref(sheet, row, column, last_row_n - row + 1, last_col_n - column + 1)


def cut(values: list[list[object]], ref: Ref) -> list[list[object]]:
    """The rectangle ``ref`` out of a sheet's values read from A1 (missing: None)."""
    rows = []
    for r in range(ref.row - 1, ref.row - 1 + ref.height):
        source = values[r] if r < len(values) else []
        rows.append(
            [
                source[c] if c < len(source) else None
                for c in range(ref.column - 1, ref.column - 1 + ref.width)
            ]
        )
    return rows


def column_number(letters: str) -> int:
    """'A' is 1, 'AA' is 27."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def column_letter(number: int) -> str:
    """1 is 'A', 27 is 'AA'."""
    letters = ""
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _single(view: WorkbookView, ref: Ref) -> CellValue:
    values = view.read(Ref(ref.sheet, ref.row, ref.column))
    return CellValue(ref.cell(), values[0][0] if values and values[0] else None)


def _rows(body: Ref, values: list[list[object]]) -> tuple[RowInput, ...]:
    if body.width < len(TABLE_COLUMNS):
        raise WorkbookError(
            f"Tabel di lembar '{body.sheet}' harus punya kolom "
            f"{', '.join(TABLE_COLUMNS)}."
        )
    rows = []
    for offset in range(body.height):
        row = values[offset] if offset < len(values) else []
        cells = [
            CellValue(
                body.cell(offset, column), row[column] if column < len(row) else None
            )
            for column in range(len(TABLE_COLUMNS))
        ]
        rows.append(RowInput(*cells))
    return tuple(rows)
