"""A workbook's content, read by independent means, for comparing two files on what they
hold (not on their bytes): sheets, cells, styles, names, tables, validation, protection,
print setup, buttons and VBA modules."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
from pyopenvba import ExcelFile

_MACRO = re.compile(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>")
_CAPTION = re.compile(r"<font[^>]*>(.*?)</font>")


def structure(path: Path) -> dict:
    """Everything but cell values and fills: what a Hitung run must leave untouched."""
    book = openpyxl.load_workbook(path, keep_vba=True)
    sheets = {}
    for sheet in book.worksheets:
        sheets[sheet.title] = {
            "state": sheet.sheet_state,
            "protected": bool(sheet.protection.sheet),
            "paper": sheet.page_setup.paperSize,
            "orientation": sheet.page_setup.orientation,
            "fit_width": sheet.page_setup.fitToWidth,
            "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
            "validations": sorted(
                (str(v.sqref), v.type, v.operator, v.formula1, v.formula2)
                for v in sheet.data_validations.dataValidation
            ),
            "tables": {
                name: (
                    sheet.tables[name].ref,
                    [c.name for c in sheet.tables[name].tableColumns],
                )
                for name in sheet.tables
            },
            "widths": {
                k: round(v.width, 2) for k, v in sheet.column_dimensions.items()
            },
            "styles": {
                cell.coordinate: (
                    cell.number_format,
                    cell.protection.locked,
                    cell.font.b,
                )
                for row in sheet.iter_rows()
                for cell in row
            },
        }
    return {
        "sheets": sheets,
        "order": book.sheetnames,
        "names": {name: list(d.destinations) for name, d in book.defined_names.items()},
        "buttons": buttons(path),
        "vba": vba_modules(path),
    }


def values(path: Path) -> dict:
    """Every cell value of every sheet, by sheet and coordinate."""
    book = openpyxl.load_workbook(path)
    return {
        sheet.title: {
            cell.coordinate: cell.value
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        }
        for sheet in book.worksheets
    }


def buttons(path: Path) -> list[tuple[str, str, str]]:
    """(drawing part, caption, macro) of every form button, read from the VML parts."""
    found = []
    with zipfile.ZipFile(path) as package:
        for part in sorted(n for n in package.namelist() if n.endswith(".vml")):
            text = package.read(part).decode("utf-8")
            for shape in text.split("<v:shape ")[1:]:
                if 'ObjectType="Button"' in shape:
                    caption = _CAPTION.search(shape)
                    macro = _MACRO.search(shape)
                    found.append(
                        (
                            caption.group(1) if caption else "",
                            macro.group(1) if macro else "",
                        )
                    )
    return found


def vba_modules(path: Path) -> dict[str, str]:
    """The source of every VBA module, read with pyopenvba."""
    with ExcelFile(path) as excel:
        return {name: excel.get_module(name) for name in excel.module_names()}
