"""The demo's illustrative sample data, typed into a template through the contract."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources
from pathlib import Path

from iku_xl.contract import Field, Ref, name_of, require_name, table_of
from iku_xl.errors import WorkbookError
from iku_xl.outputs import Write
from iku_xl.workbook_file import FileWorkbook

SAMPLE_FILE = "sample_2020.toml"


def sample_writes(workbook: FileWorkbook) -> list[Write]:
    """The writes that fill every Bidang sheet of ``workbook`` with the sample data."""
    data = tomllib.loads(
        resources.files("iku_xl.data").joinpath(SAMPLE_FILE).read_text(encoding="utf-8")
    )
    filled_on = data["filled_on"]
    identity = {
        Field.YEAR: data["year"],
        Field.PERIOD: data["period"],
        Field.FILLER_NAME: data["filler_name"],
        Field.FILLER_NIP: data["filler_nip"],
        Field.FILLED_ON: dt.datetime.combine(filled_on, dt.time()),
    }
    writes = []
    for indicator in data["indicator"]:
        number = indicator["number"]
        values = {**identity, Field.TARGET: indicator["target"]}
        writes += [
            Write(require_name(workbook, name_of(number, field)), [[value]])
            for field, value in values.items()
        ]
        body = workbook.table_ref(table_of(number))
        if body is None or body.height < len(indicator["rows"]):
            raise WorkbookError(f"Tabel IKU {number} tidak cukup untuk data contoh.")
        rows = [
            [numerator, denominator, data["note"]]
            for numerator, denominator in indicator["rows"]
        ]
        writes.append(
            Write(Ref(body.sheet, body.row, body.column + 1, len(rows), 3), rows)
        )
    return writes


def fill_sample(template: str | Path, target: str | Path) -> Path:
    """Copy ``template`` to ``target`` with the sample data typed in (not yet
    computed)."""
    workbook = FileWorkbook(template)
    workbook.apply(sample_writes(workbook))
    return workbook.save(target)
