"""Build workbook_template.xlsm from a catalogue: sheets, named cells, tables,
validation, protection, print setup, the Hitung IKU buttons and the VBA project.

The cell positions below are the builder's alone: everything else finds the cells
through the defined names of ``iku_xl.contract``.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from importlib import metadata
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell

from iku_xl.catalogue import Catalogue, Indicator
from iku_xl.contract import (
    CONFIG_SHEET,
    INPUT_FILL,
    INSTRUCTIONS_SHEET,
    MANIFEST_NAME,
    MANIFEST_SHEET,
    MESSAGE_ROWS,
    SUMMARY_COLUMNS,
    SUMMARY_MESSAGE_COLUMNS,
    SUMMARY_MESSAGE_ROWS,
    SUMMARY_MESSAGES_NAME,
    SUMMARY_SHEET,
    SUMMARY_STAMP_NAME,
    SUMMARY_TABLE_NAME,
    TABLE_COLUMNS,
    TEMPLATE_VERSION,
    Field,
    WorkbookKind,
    manifest_rows,
    name_of,
    table_of,
)
from iku_xl.engine import MAX_YEAR, MIN_YEAR, PERIODS
from iku_xl.errors import CatalogueError
from iku_xl.numbers import MAX_COUNT
from iku_xl.vba import MACRO_NAME, build_vba_project

log = logging.getLogger(__name__)

MAX_CELL_TEXT = 32_767
PERCENT_FORMAT = "0.00%"
COUNT_FORMAT = "#,##0"
DATE_FORMAT = "dd/mm/yyyy"
BUTTON_CAPTION = "Hitung IKU"

# Bidang sheet layout (0-based rows and columns, as XlsxWriter counts).
IDENTITY_ROW = 3
TEXT_ROW = 9
TARGET_ROW = 13
TABLE_ROW = 15
LABEL_COL, VALUE_COL = 0, 1
OUTPUT_LABEL_COL, OUTPUT_VALUE_COL = 5, 6
OUTPUT_ROW = 3
BUTTON_ROW = 11
MESSAGE_ROW = 15
BIDANG_WIDTHS = {0: 44, 1: 16, 2: 16, 3: 34, 4: 3, 5: 26, 6: 20}

IDENTITY = (
    (Field.YEAR, "Tahun"),
    (Field.PERIOD, "Periode"),
    (Field.FILLER_NAME, "Nama pengisi"),
    (Field.FILLER_NIP, "NIP pengisi"),
    (Field.FILLED_ON, "Tanggal pengisian"),
)
OUTPUTS = (
    (Field.NUMERATOR, "Jumlah pembilang", COUNT_FORMAT),
    (Field.DENOMINATOR, "Jumlah penyebut", COUNT_FORMAT),
    (Field.REALISATION, "Realisasi IKU", PERCENT_FORMAT),
    (Field.ACHIEVEMENT, "Capaian terhadap target", PERCENT_FORMAT),
    (Field.PREDICATE, "Predikat", None),
    (Field.STATUS, "Status", None),
    (Field.REASON, "Alasan status", None),
)
SUMMARY_FORMATS = {
    "Pembilang": COUNT_FORMAT,
    "Penyebut": COUNT_FORMAT,
    "Realisasi": PERCENT_FORMAT,
    "Target": PERCENT_FORMAT,
    "Capaian": PERCENT_FORMAT,
}
SUMMARY_WIDTHS = (5, 60, 30, 8, 10, 12, 12, 11, 11, 11, 14, 20, 40)
# Only what differs from xlwings' defaults: an empty key here would hide a user's own
# xlwings.conf (GetConfig stops at the sheet), so Interpreter_Win is added by hand when
# Python is not on the PATH (README, Petunjuk).
CONFIG = (("Show Console", "False"),)


def sheet_names(catalogue: Catalogue) -> list[str]:
    """The template's sheets in order: instructions, one per IKU, Rekap, hidden ones.

    Raises:
        CatalogueError: an indicator's sheet takes the name of one the template needs.
    """
    reserved = (INSTRUCTIONS_SHEET, SUMMARY_SHEET, CONFIG_SHEET, MANIFEST_SHEET)
    taken = {name.casefold() for name in reserved}
    for indicator in catalogue.indicators:
        if indicator.sheet.casefold() in taken:
            raise CatalogueError(
                f"Nama lembar IKU {indicator.number} '{indicator.sheet}' sudah dipakai "
                f"template; nama ini tidak boleh dipakai: {', '.join(reserved)}."
            )
    return [
        INSTRUCTIONS_SHEET,
        *(i.sheet for i in catalogue.indicators),
        SUMMARY_SHEET,
        CONFIG_SHEET,
        MANIFEST_SHEET,
    ]


def build_template(catalogue: Catalogue, path: str | Path) -> Path:
    """Write the macro-enabled template for ``catalogue`` to ``path`` (.xlsm)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = sheet_names(catalogue)
    project = build_vba_project(names)

    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_numbers": False}
    )
    workbook.set_properties(
        {
            "title": f"Template IKU {catalogue.office} {catalogue.year}",
            "subject": "Pengisian dan perhitungan Indikator Kinerja Utama",
            "author": "iku-xl",
            "comments": f"template {TEMPLATE_VERSION}, katalog {catalogue.digest}",
        }
    )
    workbook.add_vba_project(io.BytesIO(project), is_stream=True)
    styles = Styles(workbook)

    _instructions(workbook.add_worksheet(INSTRUCTIONS_SHEET), catalogue, styles)
    for indicator in catalogue.indicators:
        _bidang(
            workbook,
            workbook.add_worksheet(indicator.sheet),
            catalogue,
            indicator,
            styles,
        )
    _summary(workbook, workbook.add_worksheet(SUMMARY_SHEET), catalogue, styles)
    write_config_sheet(workbook.add_worksheet(CONFIG_SHEET))
    write_manifest_sheet(workbook, workbook.add_worksheet(MANIFEST_SHEET), catalogue)
    workbook.worksheets()[0].activate()
    workbook.close()
    log.info("template written to %s", path)
    return path


class Styles:
    """The cell formats of the template, made once per workbook."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        add = workbook.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.subtitle = add({"italic": True, "font_color": "#595959"})
        self.heading = add({"bold": True, "font_size": 12, "bottom": 1})
        self.label = add({"bold": True, "valign": "top"})
        self.text = add({"text_wrap": True, "valign": "top"})
        self.plain = add({"valign": "top"})
        self.input = add({"locked": False, "bg_color": INPUT_FILL, "border": 1})
        self.input_text = add(
            {"locked": False, "bg_color": INPUT_FILL, "border": 1, "num_format": "@"}
        )
        self.input_year = add(
            {"locked": False, "bg_color": INPUT_FILL, "border": 1, "num_format": "0"}
        )
        self.input_date = add(
            {
                "locked": False,
                "bg_color": INPUT_FILL,
                "border": 1,
                "num_format": DATE_FORMAT,
            }
        )
        self.input_count = add(
            {
                "locked": False,
                "bg_color": INPUT_FILL,
                "border": 1,
                "num_format": COUNT_FORMAT,
            }
        )
        self.input_percent = add(
            {
                "locked": False,
                "bg_color": INPUT_FILL,
                "border": 1,
                "num_format": PERCENT_FORMAT,
            }
        )
        self.output = add({"border": 1, "bg_color": "#E2EFDA"})
        self.output_count = add(
            {"border": 1, "bg_color": "#E2EFDA", "num_format": COUNT_FORMAT}
        )
        self.output_percent = add(
            {
                "border": 1,
                "bg_color": "#E2EFDA",
                "num_format": PERCENT_FORMAT,
                "bold": True,
            }
        )
        self.component = add({"border": 1, "text_wrap": True})
        self.count = add({"num_format": COUNT_FORMAT})
        self.percent = add({"num_format": PERCENT_FORMAT})
        self.header = add(
            {
                "bold": True,
                "bg_color": "#D9E1F2",
                "border": 1,
                "text_wrap": True,
                "valign": "top",
            }
        )

    def output_format(self, number_format: str | None):
        return {
            COUNT_FORMAT: self.output_count,
            PERCENT_FORMAT: self.output_percent,
        }.get(number_format, self.output)


def _instructions(sheet, catalogue: Catalogue, styles: Styles) -> None:
    sheet.set_column(0, 0, 110)
    sheet.write(
        0,
        0,
        f"Petunjuk pengisian IKU {catalogue.office} tahun {catalogue.year}",
        styles.title,
    )
    sheet.write(1, 0, f"Template iku-xl versi {TEMPLATE_VERSION}.", styles.subtitle)
    lines = [
        ("Cara mengisi", True),
        (
            "1. Buka lembar Bidang Anda (IKU 1 sampai IKU "
            f"{len(catalogue.indicators)}). "
            "Hanya sel berwarna kuning yang dapat diisi.",
            False,
        ),
        (
            "2. Isi Tahun, Periode (pilih dari daftar), nama dan NIP pengisi, tanggal "
            "pengisian, dan Target (%) bila belum diisi oleh Subbagian Perencanaan.",
            False,
        ),
        (
            "3. Isi jumlah Pembilang dan Penyebut setiap komponen dengan "
            "bilangan bulat 0 "
            "atau lebih. Sel kosong bukan nol: isi 0 bila memang tidak ada.",
            False,
        ),
        (
            "4. Klik tombol 'Hitung IKU'. Nilai IKU, capaian, predikat dan status "
            "muncul di "
            "blok Hasil perhitungan; kesalahan ditandai merah dan dijelaskan di Pesan "
            "pemeriksaan. Lembar Rekap IKU terisi untuk semua Bidang.",
            False,
        ),
        (
            "5. Perbaiki yang ditandai, klik Hitung IKU lagi, simpan, lalu kirim "
            "berkas ini "
            "ke Subbagian Perencanaan.",
            False,
        ),
        ("Apa yang dilakukan tombol Hitung IKU", True),
        (
            "Tombol menjalankan Python (paket iku-xl, melalui xlwings) untuk "
            "memeriksa isian, "
            "menghitung IKU = jumlah pembilang / jumlah penyebut x 100%, "
            "capaian = realisasi / "
            "target x 100%, dan predikat menurut skala "
            f"{catalogue.scale.name}. Isian Anda tidak pernah diubah.",
            False,
        ),
        ("Bila makro diblokir", True),
        (
            "Bila muncul pita kuning 'SECURITY WARNING' atau merah 'SECURITY RISK', "
            "tutup "
            "berkas, klik kanan berkas di File Explorer, pilih Properties, "
            "centang Unblock, "
            "klik OK, lalu buka lagi dan klik Enable Content.",
            False,
        ),
        (
            "Tanpa makro Anda tetap dapat mengisi dan mengirim berkas ini: Subbagian "
            "Perencanaan akan menghitungnya dengan perintah iku-xl.",
            False,
        ),
        (
            "Bila muncul pesan bahwa Python tidak ditemukan, minta petugas TI atau "
            "Subbagian Perencanaan memasang Python dan iku-xl, atau tampilkan lembar "
            "tersembunyi xlwings.conf dan tambahkan baris baru: di kolom A "
            "'Interpreter_Win', di kolom B lokasi pythonw.exe.",
            False,
        ),
    ]
    for offset, (line, is_heading) in enumerate(lines, start=3):
        sheet.write(offset, 0, line, styles.heading if is_heading else styles.text)
    set_print(sheet, landscape=False)
    sheet.protect()


def _bidang(
    workbook, sheet, catalogue: Catalogue, indicator: Indicator, styles: Styles
) -> None:
    number = indicator.number
    for column, width in BIDANG_WIDTHS.items():
        sheet.set_column(column, column, width)
    sheet.write(0, 0, f"IKU {number} - Bidang {indicator.division}", styles.title)
    sheet.write(1, 0, f"{catalogue.office}, tahun {catalogue.year}", styles.subtitle)

    identity_formats = {
        Field.YEAR: styles.input_year,
        Field.FILLER_NIP: styles.input_text,
        Field.FILLED_ON: styles.input_date,
    }
    for offset, (field, label) in enumerate(IDENTITY):
        row = IDENTITY_ROW + offset
        sheet.write(row, LABEL_COL, label, styles.label)
        cell_format = identity_formats.get(field, styles.input)
        if field in (Field.FILLER_NAME, Field.FILLER_NIP):
            sheet.merge_range(row, VALUE_COL, row, VALUE_COL + 2, None, cell_format)
        else:
            sheet.write_blank(row, VALUE_COL, None, cell_format)
        define_cell(workbook, name_of(number, field), indicator.sheet, row, VALUE_COL)
    _identity_validation(sheet, catalogue)

    texts = (
        ("Indikator", indicator.name, 60),
        ("Pembilang", indicator.numerator, 45),
        ("Penyebut", indicator.denominator, 30),
        (
            "Formula",
            "Realisasi = jumlah pembilang / jumlah penyebut x 100% (rasio "
            "jumlah, bukan rata-rata persentase komponen)",
            30,
        ),
    )
    for offset, (label, text, height) in enumerate(texts):
        row = TEXT_ROW + offset
        sheet.write(row, LABEL_COL, label, styles.label)
        sheet.merge_range(row, VALUE_COL, row, VALUE_COL + 2, text, styles.text)
        sheet.set_row(row, height)
    sheet.write(TARGET_ROW, LABEL_COL, "Target (%)", styles.label)
    sheet.write_blank(TARGET_ROW, VALUE_COL, None, styles.input_percent)
    define_cell(
        workbook, name_of(number, Field.TARGET), indicator.sheet, TARGET_ROW, VALUE_COL
    )
    sheet.data_validation(
        TARGET_ROW,
        VALUE_COL,
        TARGET_ROW,
        VALUE_COL,
        {
            "validate": "decimal",
            "criteria": "between",
            "minimum": 0.0001,
            "maximum": 1,
            "input_title": "Target",
            "input_message": "Ketik dalam persen, misalnya 90%.",
            "error_title": "Target tidak sah",
            "error_message": "Target harus lebih dari 0% dan paling tinggi 100%.",
        },
    )

    _input_table(sheet, indicator, styles)
    _outputs(workbook, sheet, indicator, styles)
    sheet.insert_button(
        BUTTON_ROW,
        OUTPUT_LABEL_COL,
        {
            "macro": MACRO_NAME,
            "caption": BUTTON_CAPTION,
            "width": 200,
            "height": 36,
        },
    )
    sheet.write(MESSAGE_ROW, OUTPUT_LABEL_COL, "Pesan pemeriksaan", styles.heading)
    first = MESSAGE_ROW + 1
    workbook.define_name(
        name_of(number, Field.MESSAGES),
        f"={quote_sheet(indicator.sheet)}!"
        + xl_range_abs(
            first, OUTPUT_LABEL_COL, first + MESSAGE_ROWS - 1, OUTPUT_LABEL_COL
        ),
    )
    set_print(sheet, landscape=True)
    sheet.protect()


def _identity_validation(sheet, catalogue: Catalogue) -> None:
    rows = {field: IDENTITY_ROW + offset for offset, (field, _) in enumerate(IDENTITY)}
    year = rows[Field.YEAR]
    sheet.data_validation(
        year,
        VALUE_COL,
        year,
        VALUE_COL,
        {
            "validate": "integer",
            "criteria": "between",
            "minimum": MIN_YEAR,
            "maximum": MAX_YEAR,
            "input_title": "Tahun",
            "input_message": f"Tahun laporan, misalnya {catalogue.year}.",
            "error_title": "Tahun tidak sah",
            "error_message": f"Isi tahun empat angka antara {MIN_YEAR} dan {MAX_YEAR}.",
        },
    )
    period = rows[Field.PERIOD]
    sheet.data_validation(
        period,
        VALUE_COL,
        period,
        VALUE_COL,
        {
            "validate": "list",
            "source": list(PERIODS),
            "input_title": "Periode",
            "input_message": "Pilih triwulan (TW) atau Tahunan.",
            "error_title": "Periode tidak sah",
            "error_message": "Pilih dari daftar.",
        },
    )
    date = rows[Field.FILLED_ON]
    sheet.data_validation(
        date,
        VALUE_COL,
        date,
        VALUE_COL,
        {
            "validate": "date",
            "criteria": ">=",
            "value": dt.date(MIN_YEAR, 1, 1),
            "error_title": "Tanggal tidak sah",
            "error_message": "Isi tanggal, misalnya 15/01/2021.",
        },
    )


def _input_table(sheet, indicator: Indicator, styles: Styles) -> None:
    first, last = TABLE_ROW + 1, TABLE_ROW + len(indicator.components)
    data = [[f"{c.name} ({c.unit})", None, None, None] for c in indicator.components]
    formats = (styles.component, styles.input_count, styles.input_count, styles.input)
    sheet.add_table(
        TABLE_ROW,
        0,
        last,
        len(TABLE_COLUMNS) - 1,
        {
            "name": table_of(indicator.number),
            "data": data,
            "style": "Table Style Light 9",
            "autofilter": False,
            "columns": [
                {"header": header, "format": fmt}
                for header, fmt in zip(TABLE_COLUMNS, formats, strict=True)
            ],
        },
    )
    sheet.data_validation(
        first,
        1,
        last,
        2,
        {
            "validate": "integer",
            "criteria": "between",
            "minimum": 0,
            "maximum": MAX_COUNT,
            "input_title": "Jumlah",
            "input_message": "Bilangan bulat 0 atau lebih.",
            "error_title": "Jumlah tidak sah",
            "error_message": "Isi bilangan bulat 0 atau lebih. Sel kosong bukan nol.",
        },
    )


def _outputs(workbook, sheet, indicator: Indicator, styles: Styles) -> None:
    sheet.write(OUTPUT_ROW - 1, OUTPUT_LABEL_COL, "Hasil perhitungan", styles.heading)
    for offset, (field, label, number_format) in enumerate(OUTPUTS):
        row = OUTPUT_ROW + offset
        sheet.write(row, OUTPUT_LABEL_COL, label, styles.label)
        sheet.write_blank(
            row, OUTPUT_VALUE_COL, None, styles.output_format(number_format)
        )
        define_cell(
            workbook,
            name_of(indicator.number, field),
            indicator.sheet,
            row,
            OUTPUT_VALUE_COL,
        )


def _summary(workbook, sheet, catalogue: Catalogue, styles: Styles) -> None:
    for column, width in enumerate(SUMMARY_WIDTHS):
        sheet.set_column(column, column, width)
    sheet.write(
        0, 0, f"Rekap IKU {catalogue.office} tahun {catalogue.year}", styles.title
    )
    sheet.write(
        1, 0, "Belum dihitung: klik Hitung IKU di lembar Bidang.", styles.subtitle
    )
    workbook.define_name(SUMMARY_STAMP_NAME, f"={quote_sheet(SUMMARY_SHEET)}!$A$2")

    header_row, count = 3, len(catalogue.indicators)
    for column, header in enumerate(SUMMARY_COLUMNS):
        sheet.write(header_row, column, header, styles.header)
        fmt = {COUNT_FORMAT: styles.count, PERCENT_FORMAT: styles.percent}.get(
            SUMMARY_FORMATS.get(header)
        )
        for row in range(header_row + 1, header_row + 1 + count):
            if column in (1, 2, 12):
                sheet.write_blank(row, column, None, styles.text)
            else:
                sheet.write_blank(row, column, None, fmt or styles.plain)
    workbook.define_name(
        SUMMARY_TABLE_NAME,
        f"={quote_sheet(SUMMARY_SHEET)}!"
        + xl_range_abs(header_row + 1, 0, header_row + count, len(SUMMARY_COLUMNS) - 1),
    )

    scale_row = header_row + count + 2
    bands = "; ".join(f"{b.label} >= {b.minimum:g}%" for b in catalogue.scale.bands)
    sheet.write(
        scale_row,
        0,
        f"Skala predikat ({catalogue.scale.name}): {bands}.",
        styles.subtitle,
    )

    messages_row = scale_row + 2
    sheet.write(messages_row, 0, "Daftar pesan pemeriksaan", styles.heading)
    for column, header in enumerate(SUMMARY_MESSAGE_COLUMNS):
        sheet.write(messages_row + 1, column, header, styles.header)
    first = messages_row + 2
    workbook.define_name(
        SUMMARY_MESSAGES_NAME,
        f"={quote_sheet(SUMMARY_SHEET)}!"
        + xl_range_abs(
            first, 0, first + SUMMARY_MESSAGE_ROWS - 1, len(SUMMARY_MESSAGE_COLUMNS) - 1
        ),
    )
    sheet.repeat_rows(header_row)
    set_print(sheet, landscape=True)
    sheet.print_area(0, 0, header_row + count + 2, len(SUMMARY_COLUMNS) - 1)
    sheet.protect()


def write_config_sheet(sheet) -> None:
    for row, (key, value) in enumerate(CONFIG):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    sheet.hide()


def write_manifest_sheet(
    workbook, sheet, catalogue: Catalogue, kind: WorkbookKind = WorkbookKind.TEMPLATE
) -> None:
    rows = manifest_rows(catalogue, MAX_CELL_TEXT, kind)
    rows.insert(1, ("xlwings_version", metadata.version("xlwings")))
    for row, (key, value) in enumerate(rows):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
    workbook.define_name(
        MANIFEST_NAME,
        f"={quote_sheet(MANIFEST_SHEET)}!" + xl_range_abs(0, 0, len(rows) - 1, 1),
    )
    sheet.hide()
    sheet.protect()


def define_cell(workbook, name: str, sheet: str, row: int, column: int) -> None:
    workbook.define_name(
        name, f"={quote_sheet(sheet)}!{xl_rowcol_to_cell(row, column, True, True)}"
    )


def quote_sheet(sheet: str) -> str:
    return "'" + sheet.replace("'", "''") + "'"


def set_print(sheet, landscape: bool) -> None:
    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    sheet.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
