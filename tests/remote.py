"""Payloads shaped like those xlwings' VBA client (addin/Remote.bas) sends, made from a
workbook on disk, and xlwings remote-engine books made from them."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl
import xlwings as xw
from openpyxl.utils import get_column_letter

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")


def payload_from_file(path: str | Path) -> dict:
    """What the VBA client would send for this workbook: names, sheets, values,
    tables."""
    book = openpyxl.load_workbook(path, data_only=True, keep_vba=True)
    index = {sheet.title: position for position, sheet in enumerate(book.worksheets)}
    names = []
    for name, defined in book.defined_names.items():
        ((sheet, address),) = defined.destinations
        names.append(
            {
                "name": name,
                "sheet_index": index[sheet],
                "address": address.replace("$", ""),
                "book_scope": True,
                "scope_sheet_name": None,
                "scope_sheet_index": None,
            }
        )
    sheets = []
    for sheet in book.worksheets:
        values = [
            [_json_value(v) for v in row]
            for row in sheet.iter_rows(
                min_row=1,
                min_col=1,
                max_row=sheet.max_row,
                max_col=sheet.max_column,
                values_only=True,
            )
        ]
        sheets.append(
            {
                "name": sheet.title,
                "values": values or [[]],
                "pictures": [],
                "tables": [_table(sheet.tables[t]) for t in sheet.tables],
            }
        )
    return {
        "client": "VBA",
        "version": xw.__version__,
        "book": {"name": Path(path).name, "active_sheet_index": 1, "selection": "B4"},
        "names": names,
        "sheets": sheets,
    }


def remote_book(path: str | Path) -> xw.Book:
    """An xlwings remote-engine Book for the workbook at ``path``."""
    return xw.Book(json=payload_from_file(path))


def _table(table) -> dict:
    first, last = table.ref.split(":")
    header_last = "".join(c for c in last if c.isalpha()) + "".join(
        c for c in first if c.isdigit()
    )
    first_row = int("".join(c for c in first if c.isdigit()))
    body_first = "".join(c for c in first if c.isalpha()) + str(first_row + 1)
    absolute = _absolute
    return {
        "name": table.displayName,
        "range_address": absolute(table.ref),
        "header_row_range_address": absolute(f"{first}:{header_last}"),
        "data_body_range_address": absolute(f"{body_first}:{last}"),
        "total_row_range_address": None,
        "show_headers": True,
        "show_totals": False,
        "table_style": "TableStyleLight9",
        "show_autofilter": False,
    }


def _absolute(address: str) -> str:
    parts = []
    for cell in address.split(":"):
        letters = "".join(c for c in cell if c.isalpha())
        digits = "".join(c for c in cell if c.isdigit())
        parts.append(f"${letters}${digits}")
    return ":".join(parts)


def _json_value(value):
    # xlwings' VBA client sends a date as ISO 8601 in UTC with milliseconds and a "Z".
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="milliseconds") + "Z"
    return value


__all__ = ["get_column_letter", "payload_from_file", "remote_book"]
