"""Build konsolidasi_template.xlsm: the planners' workbook whose Konsolidasi button runs
the consolidation of a folder typed into a cell, through xlwings."""

from __future__ import annotations

import io
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_range_abs

from iku_xl.catalogue import Catalogue
from iku_xl.contract import (
    CONFIG_SHEET,
    CONSOLIDATION_COLUMNS,
    CONSOLIDATION_FOLDER_NAME,
    CONSOLIDATION_LATEST_NAME,
    CONSOLIDATION_MESSAGE_ROWS,
    CONSOLIDATION_MESSAGES_NAME,
    CONSOLIDATION_OUTPUT_NAME,
    CONSOLIDATION_PERIOD_NAME,
    CONSOLIDATION_RESULT_NAME,
    CONSOLIDATION_SHEET,
    CONSOLIDATION_SUMMARY_NAME,
    CONSOLIDATION_YEAR_NAME,
    MANIFEST_SHEET,
    NO,
    TEMPLATE_VERSION,
    YES,
    WorkbookKind,
)
from iku_xl.engine import PERIODS
from iku_xl.template import (
    Styles,
    define_cell,
    quote_sheet,
    set_print,
    write_config_sheet,
    write_manifest_sheet,
)
from iku_xl.vba import (
    CONSOLIDATION_ENTRY,
    CONSOLIDATION_MACRO,
    build_vba_project,
    module_source,
)

BUTTON_CAPTION = "Konsolidasi"
REQUEST_ROW = 3
RESULT_ROW = 11
WIDTHS = (34, 30, 11, 11, 11, 14, 16, 30, 60)
REQUEST = (
    (CONSOLIDATION_FOLDER_NAME, "Folder berkas dari Bidang"),
    (CONSOLIDATION_OUTPUT_NAME, "Berkas Rekap (.xlsx), boleh kosong"),
    (CONSOLIDATION_YEAR_NAME, "Tahun (boleh kosong)"),
    (CONSOLIDATION_PERIOD_NAME, "Periode (boleh kosong)"),
    (CONSOLIDATION_LATEST_NAME, "Bila ada konflik, ambil kiriman terbaru"),
)


def build_consolidation_workbook(catalogue: Catalogue, path: str | Path) -> Path:
    """Write the Konsolidasi workbook for templates built from ``catalogue``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    names = [CONSOLIDATION_SHEET, CONFIG_SHEET, MANIFEST_SHEET]
    project = build_vba_project(
        names, module_source(CONSOLIDATION_MACRO, CONSOLIDATION_ENTRY)
    )
    workbook = xlsxwriter.Workbook(
        str(path), {"strings_to_formulas": False, "strings_to_numbers": False}
    )
    workbook.set_properties(
        {
            "title": f"Konsolidasi IKU {catalogue.office} {catalogue.year}",
            "author": "iku-xl",
            "comments": f"template {TEMPLATE_VERSION}, katalog {catalogue.digest}",
        }
    )
    workbook.add_vba_project(io.BytesIO(project), is_stream=True)
    styles = Styles(workbook)
    _consolidation_sheet(
        workbook, workbook.add_worksheet(CONSOLIDATION_SHEET), catalogue, styles
    )
    write_config_sheet(workbook.add_worksheet(CONFIG_SHEET))
    write_manifest_sheet(
        workbook,
        workbook.add_worksheet(MANIFEST_SHEET),
        catalogue,
        WorkbookKind.CONSOLIDATION,
    )
    workbook.close()
    return path


def _consolidation_sheet(workbook, sheet, catalogue: Catalogue, styles: Styles) -> None:
    for column, width in enumerate(WIDTHS):
        sheet.set_column(column, column, width)
    sheet.write(
        0, 0, f"Konsolidasi IKU {catalogue.office} tahun {catalogue.year}", styles.title
    )
    sheet.write(
        1,
        0,
        "Ketik lokasi folder yang berisi berkas dari semua Bidang, lalu "
        "klik Konsolidasi. Berkas masukan tidak pernah diubah.",
        styles.subtitle,
    )

    for offset, (name, label) in enumerate(REQUEST):
        row = REQUEST_ROW + offset
        sheet.write(row, 0, label, styles.label)
        if name in (CONSOLIDATION_FOLDER_NAME, CONSOLIDATION_OUTPUT_NAME):
            sheet.merge_range(row, 1, row, 4, None, styles.input_text)
        else:
            sheet.write_blank(row, 1, None, styles.input)
        define_cell(workbook, name, CONSOLIDATION_SHEET, row, 1)
    period_row = REQUEST_ROW + 3
    sheet.data_validation(
        period_row, 1, period_row, 1, {"validate": "list", "source": list(PERIODS)}
    )
    sheet.data_validation(
        period_row + 1, 1, period_row + 1, 1, {"validate": "list", "source": [YES, NO]}
    )
    sheet.insert_button(
        REQUEST_ROW + 2,
        5,
        {
            "macro": CONSOLIDATION_MACRO,
            "caption": BUTTON_CAPTION,
            "width": 180,
            "height": 36,
        },
    )

    summary_row = REQUEST_ROW + len(REQUEST) + 1
    sheet.write(summary_row, 0, "Ringkasan", styles.label)
    sheet.merge_range(summary_row, 1, summary_row, 8, "Belum dijalankan.", styles.text)
    define_cell(
        workbook, CONSOLIDATION_SUMMARY_NAME, CONSOLIDATION_SHEET, summary_row, 1
    )

    count = len(catalogue.indicators)
    for column, header in enumerate(CONSOLIDATION_COLUMNS):
        sheet.write(RESULT_ROW, column, header, styles.header)
        fmt = styles.percent if header in ("Realisasi", "Target", "Capaian") else None
        for row in range(RESULT_ROW + 1, RESULT_ROW + 1 + count):
            sheet.write_blank(row, column, None, fmt or styles.plain)
    workbook.define_name(
        CONSOLIDATION_RESULT_NAME,
        f"={quote_sheet(CONSOLIDATION_SHEET)}!"
        + xl_range_abs(
            RESULT_ROW + 1, 0, RESULT_ROW + count, len(CONSOLIDATION_COLUMNS) - 1
        ),
    )

    messages_row = RESULT_ROW + count + 2
    sheet.write(messages_row, 0, "Pesan", styles.heading)
    first = messages_row + 1
    workbook.define_name(
        CONSOLIDATION_MESSAGES_NAME,
        f"={quote_sheet(CONSOLIDATION_SHEET)}!"
        + xl_range_abs(first, 0, first + CONSOLIDATION_MESSAGE_ROWS - 1, 0),
    )
    set_print(sheet, landscape=True)
    sheet.protect()
