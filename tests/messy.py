"""Messy and hostile workbooks, built in code from a filled template, one per kind.

Each builder takes a filled, computed workbook (IKU 1 filled with ROWS) and a target
path, and writes the case there. ``KINDS`` names them all, for tests that run every
kind through `iku-xl hitung` and through one `iku-xl konsolidasi` of them all.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
from openpyxl.workbook.defined_name import DefinedName
from pyopenvba.cfb import CFB

from iku_xl.catalogue import load_catalogue
from iku_xl.filetype import encrypt
from iku_xl.template import sheet_names
from iku_xl.vba import build_vba_project, module_source
from iku_xl.workbook_file import hitung_file
from tests.workbooks import fill, valid_inputs

ROWS = [(120, 150), (45, 60), (8, 10), (200, 240)]
PASSWORD = "rahasia"
SHEET = "IKU 1 Rehabilitasi Sosial"
SHEET_PART = "xl/worksheets/sheet2.xml"
TRANSITIONAL = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT = b"http://purl.oclc.org/ooxml/spreadsheetml/main"


def base(template: Path, target: Path, rows=ROWS, **spec) -> Path:
    """A copy of the template with IKU 1 filled in and computed."""
    shutil.copy(template, target)
    fill(target, {1: {**valid_inputs(1, rows), **spec}})
    hitung_file(target)
    return target


def rewrite(
    source: Path, target: Path, edit: Callable[[str, bytes], bytes | None]
) -> Path:
    """Copy a zip part by part through ``edit`` (None drops the part)."""
    with (
        zipfile.ZipFile(source) as zin,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for item in zin.infolist():
            data = edit(item.filename, zin.read(item.filename))
            if data is not None:
                zout.writestr(item, data)
    return target


def with_openpyxl(source: Path, target: Path, change: Callable) -> Path:
    book = openpyxl.load_workbook(source, keep_vba=True)
    change(book)
    book.save(target)
    return target


def typed(template: Path, path: Path, rows, **spec) -> Path:
    """IKU 1 typed with ``rows`` (values as staff typed them), not yet computed."""
    shutil.copy(template, path)
    fill(path, {1: {**valid_inputs(1, rows), **spec}})
    return path


# Cells --------------------------------------------------------------------------


def formula_without_value(good: Path, target: Path) -> Path:
    def change(book):
        book[SHEET]["B17"] = "=100+20"  # openpyxl stores a formula, with no value

    return with_openpyxl(good, target, change)


def error_values(good: Path, target: Path) -> Path:
    def change(book):
        book[SHEET]["B17"] = "#DIV/0!"
        book[SHEET]["C18"] = "#REF!"
        book[SHEET]["B19"] = "#N/A"

    return with_openpyxl(good, target, change)


def merged_cells(good: Path, target: Path) -> Path:
    return with_openpyxl(good, target, lambda book: book[SHEET].merge_cells("B18:C18"))


def hidden_row(good: Path, target: Path) -> Path:
    def change(book):
        book[SHEET].row_dimensions[19].hidden = True

    return with_openpyxl(good, target, change)


def data_below_table(good: Path, target: Path) -> Path:
    def change(book):
        book[SHEET]["B21"] = 7

    return with_openpyxl(good, target, change)


def table_resized(good: Path, target: Path) -> Path:
    def change(book):
        sheet = book[SHEET]
        sheet.tables["Tabel_IKU1"].ref = "A16:D21"
        sheet["A21"], sheet["B21"], sheet["C21"] = "Tambahan", 10, 20

    return with_openpyxl(good, target, change)


def rows_inserted(at: int, count: int = 2) -> Callable[[Path, Path], Path]:
    """Rows inserted as Excel does it: names, the table and merged cells move along."""

    def build(good: Path, target: Path) -> Path:
        def change(book):
            sheet = book[SHEET]
            sheet.insert_rows(at, count)
            for name in book.defined_names.values():
                if f"'{SHEET}'!" in name.attr_text:
                    name.attr_text = re.sub(
                        r"\$(\d+)",
                        lambda m: f"${_moved(int(m.group(1)), at, count)}",
                        name.attr_text,
                    )
            table = sheet.tables["Tabel_IKU1"]
            first, last = (int(n) for n in re.findall(r"\d+", table.ref))
            table.ref = f"A{_moved(first, at, count)}:D{_moved(last, at, count, True)}"
            for merged in sheet.merged_cells.ranges:
                if merged.min_row >= at:
                    merged.shift(0, count)

        return with_openpyxl(good, target, change)

    return build


def _moved(row: int, at: int, count: int, inclusive_end: bool = False) -> int:
    return row + count if row >= at or (inclusive_end and row >= at - 1) else row


def sheets_renamed_and_reordered(good: Path, target: Path) -> Path:
    def change(book):
        sheet = book[SHEET]
        sheet.title = "Rehsos"
        for name in book.defined_names.values():
            name.attr_text = name.attr_text.replace(f"'{SHEET}'!", "'Rehsos'!")
        book.move_sheet(sheet, offset=3)

    return with_openpyxl(good, target, change)


def name_deleted(good: Path, target: Path) -> Path:
    def change(book):
        del book.defined_names["IKU1_Target"]

    return with_openpyxl(good, target, change)


def name_pointing_at_ref_error(good: Path, target: Path) -> Path:
    def change(book):
        book.defined_names["IKU1_Periode"].attr_text = "#REF!"

    return with_openpyxl(good, target, change)


def protection_removed_labels_edited(good: Path, target: Path) -> Path:
    def change(book):
        sheet = book[SHEET]
        sheet.protection.sheet = False
        sheet["A4"] = "Year"
        sheet["A17"] = "Disabilitas fisik"

    return with_openpyxl(good, target, change)


# Files --------------------------------------------------------------------------


def excel_lock_file(good: Path, target: Path) -> Path:
    target.write_bytes(b"\x0bSiti Aminah" + b" " * 40 + b"\x00" * 100)
    return target


def libreoffice_lock_file(good: Path, target: Path) -> Path:
    target.write_text("Siti Aminah,PC-REHSOS,siti,03.12.2026 09:15,file:///C:/Users;")
    return target


def legacy_xls(good: Path, target: Path) -> Path:
    protected = CFB.from_bytes(encrypt(good.read_bytes(), "x"))
    protected.remove_stream("EncryptionInfo")
    protected.remove_stream("EncryptedPackage")
    protected.add_stream_at([], "Workbook", b"\x09\x08\x10\x00" + b"\x00" * 300)
    target.write_bytes(protected.to_bytes())
    return target


def html_as_xls(good: Path, target: Path) -> Path:
    target.write_text(
        "<html><body><table><tr><td>IKU 1</td><td>81%</td></tr></table></body></html>"
    )
    return target


def csv_as_xlsx(good: Path, target: Path) -> Path:
    target.write_text("IKU;Pembilang;Penyebut\n1;373;460\n")
    return target


def good_workbook_wrong_extension(good: Path, target: Path) -> Path:
    shutil.copy(good, target)
    return target


def resaved_as_xlsx(good: Path, target: Path) -> Path:
    openpyxl.load_workbook(good).save(target)
    return target


def strict_open_xml(good: Path, target: Path) -> Path:
    return rewrite(good, target, lambda name, data: data.replace(TRANSITIONAL, STRICT))


def password_protected(good: Path, target: Path) -> Path:
    target.write_bytes(encrypt(good.read_bytes(), PASSWORD))
    return target


def truncated(good: Path, target: Path) -> Path:
    data = good.read_bytes()
    target.write_bytes(data[: len(data) * 2 // 3])
    return target


def corrupted(good: Path, target: Path) -> Path:
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as package:
        info = package.getinfo(SHEET_PART)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra) + 20
    for offset in range(start, start + 40):
        data[offset] ^= 0x5A
    target.write_bytes(bytes(data))
    return target


def zip_bomb(good: Path, target: Path) -> Path:
    rewrite(good, target, lambda name, data: data)
    with zipfile.ZipFile(target, "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/media/image1.bin", b"\x00" * (80 << 20))
    return target


def xml_entity_bomb(good: Path, target: Path) -> Path:
    laughs = (
        b'<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">'
            % (i, b"&lol%d;" % (i - 1) * 10 if i > 1 else b"&lol;" * 10)
            for i in range(1, 10)
        )
        + b"]>"
    )

    def edit(name: str, data: bytes) -> bytes:
        if name == "xl/workbook.xml":
            body = data.split(b"?>", 1)[-1]
            return b'<?xml version="1.0" encoding="UTF-8"?>' + laughs + body
        return data

    return rewrite(good, target, edit)


def stray_cell_far_corner(good: Path, target: Path) -> Path:
    def edit(name: str, data: bytes) -> bytes:
        if name != SHEET_PART:
            return data
        text = re.sub(
            rb'<dimension ref="[^"]+"\s*/>', b'<dimension ref="A1:XFD1048576"/>', data
        )
        return text.replace(
            b"</sheetData>",
            b'<row r="1048576"><c r="XFD1048576" '
            b't="inlineStr"><is><t>x</t></is></c></row></sheetData>',
        )

    return rewrite(good, target, edit)


# Macros -------------------------------------------------------------------------


def modified_vba(good: Path, target: Path) -> Path:
    names = sheet_names(load_catalogue())
    hostile = build_vba_project(
        names, module_source(entry="import os; os.system('calc')")
    )
    return rewrite(
        good,
        target,
        lambda name, data: hostile if name == "xl/vbaProject.bin" else data,
    )


def xlm_macro_sheet(good: Path, target: Path) -> Path:
    rewrite(good, target, lambda name, data: data)
    with zipfile.ZipFile(target, "a") as package:
        package.writestr(
            "xl/macrosheets/sheet1.xml",
            '<xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/'
            'excel/2006/main"/>',
        )
    return target


def auto_open_name(good: Path, target: Path) -> Path:
    def change(book):
        book.defined_names["Auto_Open"] = DefinedName(
            "Auto_Open", attr_text=f"'{SHEET}'!$A$1"
        )

    return with_openpyxl(good, target, change)


# Writing ------------------------------------------------------------------------


def formula_like_text(good: Path, target: Path) -> Path:
    def change(book):
        sheet = book[SHEET]
        for cell, text in (
            ("B6", '=HYPERLINK("http://contoh.invalid","klik")'),
            ("D17", "=1+1"),
            ("A18", "@SUM(A1:A2)"),
        ):
            sheet[cell] = text
            sheet[cell].data_type = "s"

    return with_openpyxl(good, target, change)


KINDS: dict[str, tuple[str, Callable[[Path, Path], Path]]] = {
    "formula_without_value": (".xlsm", formula_without_value),
    "error_values": (".xlsm", error_values),
    "merged_cells": (".xlsm", merged_cells),
    "hidden_row": (".xlsm", hidden_row),
    "data_below_table": (".xlsm", data_below_table),
    "table_resized": (".xlsm", table_resized),
    "rows_inserted_above": (".xlsm", rows_inserted(3)),
    "rows_inserted_inside": (".xlsm", rows_inserted(18)),
    "rows_inserted_below": (".xlsm", rows_inserted(22)),
    "sheets_renamed_and_reordered": (".xlsm", sheets_renamed_and_reordered),
    "name_deleted": (".xlsm", name_deleted),
    "name_pointing_at_ref_error": (".xlsm", name_pointing_at_ref_error),
    "protection_removed_labels_edited": (".xlsm", protection_removed_labels_edited),
    "excel_lock_file": (".xlsm", excel_lock_file),
    "libreoffice_lock_file": (".xlsm#", libreoffice_lock_file),
    "legacy_xls": (".xls", legacy_xls),
    "html_as_xls": (".xls", html_as_xls),
    "csv_as_xlsx": (".xlsx", csv_as_xlsx),
    "good_workbook_wrong_extension": (".xls", good_workbook_wrong_extension),
    "resaved_as_xlsx": (".xlsx", resaved_as_xlsx),
    "strict_open_xml": (".xlsx", strict_open_xml),
    "password_protected": (".xlsm", password_protected),
    "truncated": (".xlsm", truncated),
    "corrupted": (".xlsm", corrupted),
    "zip_bomb": (".xlsm", zip_bomb),
    "xml_entity_bomb": (".xlsm", xml_entity_bomb),
    "stray_cell_far_corner": (".xlsm", stray_cell_far_corner),
    "modified_vba": (".xlsm", modified_vba),
    "xlm_macro_sheet": (".xlsm", xlm_macro_sheet),
    "auto_open_name": (".xlsm", auto_open_name),
    "formula_like_text": (".xlsm", formula_like_text),
}


def file_name(kind: str) -> str:
    """The file name of a kind's case; lock files are named as their programs do."""
    suffix = KINDS[kind][0]
    if kind == "excel_lock_file":
        return "~$iku_rehsos.xlsm"
    if kind == "libreoffice_lock_file":
        return ".~lock.iku_rehsos.xlsm#"
    return f"{kind}{suffix}"


def build(kind: str, good: Path, folder: Path) -> Path:
    """Write the case of ``kind`` into ``folder``."""
    return KINDS[kind][1](good, folder / file_name(kind))
