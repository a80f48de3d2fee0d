"""Fill a template's inputs through the contract, as a staff member would type them."""

from __future__ import annotations

from pathlib import Path

from iku_xl.contract import Field, Ref, name_of, table_of
from iku_xl.outputs import Write
from iku_xl.workbook_file import FileWorkbook

IDENTITY = {
    "year": Field.YEAR,
    "period": Field.PERIOD,
    "target": Field.TARGET,
    "name": Field.FILLER_NAME,
    "nip": Field.FILLER_NIP,
    "date": Field.FILLED_ON,
}


def fill(path: Path, sheets: dict[int, dict], target: Path | None = None) -> Path:
    """Type values into the workbook at ``path`` (saved to ``target`` or in place).

    ``sheets`` maps an IKU number to its inputs: any of year, period, target, name,
    nip, date, and rows, a list of (numerator, denominator) or (numerator, denominator,
    note).
    """
    workbook = FileWorkbook(path)
    writes = []
    for number, spec in sheets.items():
        for key, field in IDENTITY.items():
            if key in spec:
                ref = workbook.name_ref(name_of(number, field))
                writes.append(Write(ref, [[spec[key]]]))
        if "rows" in spec:
            body = workbook.table_ref(table_of(number))
            rows = [list(row) + [None] * (3 - len(row)) for row in spec["rows"]]
            writes.append(
                Write(Ref(body.sheet, body.row, body.column + 1, len(rows), 3), rows)
            )
    workbook.apply(writes)
    return workbook.save(target or path)


def valid_inputs(number: int, rows: list[tuple], target: object = 0.9) -> dict:
    """A complete, valid set of inputs for one IKU."""
    return {
        "year": 2020,
        "period": "TW I",
        "target": target,
        "name": "Siti Aminah",
        "nip": "198001012006042001",
        "rows": rows,
    }


def catalogue_with_rows(rows: int, folder: Path) -> Path:
    """The packaged catalogue with IKU 1 given ``rows`` component rows, written to
    folder."""
    from importlib import resources

    from iku_xl.catalogue import DEFAULT_CATALOGUE

    source = resources.files("iku_xl.data").joinpath(DEFAULT_CATALOGUE).read_text()
    first = source.index("components = [")
    end = source.index("]\n", first) + 2
    components = "".join(f'    {{ name = "Komponen {i + 1}" }},\n' for i in range(rows))
    path = folder / f"katalog_{rows}_baris.toml"
    path.write_text(
        source[:first] + "components = [\n" + components + "]\n" + source[end:]
    )
    return path
