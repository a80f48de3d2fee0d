"""The Hitung IKU button's entry point, driven through xlwings' remote engine with
payloads shaped like those of xlwings' VBA client; the recorded actions are what Excel
would do."""

import pytest

from iku_xl.catalogue import load_catalogue
from iku_xl.contract import INPUT_FIELDS, OUTPUT_FIELDS, Field, Ref, name_of, table_of
from iku_xl.excel import hitung
from iku_xl.template import build_template
from iku_xl.workbook_file import FileWorkbook, hitung_file
from tests.remote import payload_from_file, remote_book
from tests.workbooks import catalogue_with_rows, fill, valid_inputs

CASES = {
    "valid": {1: valid_inputs(1, [(120, 150), (45, 60), (8, 10), (200, 240)], 0.85)},
    "invalid": {2: valid_inputs(2, [(5, 4), ("1.234", 2000), (None, 5), ("abc", 1)])},
    "not_computable": {3: valid_inputs(3, [(0, 0)] * 3)},
    "no_target": {4: valid_inputs(4, [(1, 2)] * 4, target=None)},
    "text_numbers": {
        1: valid_inputs(
            1, [("1.200", "1.500"), ("45", 60), (8, 10), ("2 000", "2.400")], "85%"
        )
    },
}


def written_cells(book) -> dict[tuple[int, int, int], object]:
    """(sheet index, row, column) -> value, for every cell the recorded actions set.

    xlwings records a cleared cell as "", which is None once written.
    """
    cells = {}
    for action in book.json()["actions"]:
        if action["func"] != "setValues":
            continue
        for r, row in enumerate(action["values"]):
            for c, value in enumerate(row):
                cells[
                    (
                        action["sheet_position"],
                        action["start_row"] + r,
                        action["start_column"] + c,
                    )
                ] = None if value == "" else value
    return cells


def position(path, name):
    workbook = FileWorkbook(path)
    ref = workbook.name_ref(name)
    sheets = workbook.book.sheetnames
    return sheets.index(ref.sheet), ref.row - 1, ref.column - 1


@pytest.fixture
def filled(template_copy):
    def make(case):
        return fill(template_copy, CASES[case])

    return make


def test_outputs_are_written_to_the_named_cells(filled):
    path = filled("valid")
    book = remote_book(path)
    hitung(book)
    cells = written_cells(book)
    assert cells[position(path, "IKU1_Pembilang")] == 373
    assert cells[position(path, "IKU1_Realisasi")] == pytest.approx(373 / 460)
    assert cells[position(path, "IKU1_Capaian")] == pytest.approx(373 / 460 / 0.85)
    assert cells[position(path, "IKU1_Predikat")] == "Sangat Tinggi"
    assert cells[position(path, "IKU1_Status")] == "Valid"


def test_run_ends_with_one_alert_that_sums_up(filled):
    book = remote_book(filled("invalid"))
    hitung(book)
    actions = book.json()["actions"]
    alerts = [a for a in actions if a["func"] == "alert"]
    assert (
        len(alerts) == 1 and actions[-1] is not None and actions[-1]["func"] == "alert"
    )
    text, title = alerts[0]["args"][:2]
    assert title == "Hitung IKU"
    assert "IKU 2 (Penanganan Fakir Miskin): Ada kesalahan" in text


def test_cells_with_problems_are_highlighted_and_others_reset(filled):
    path = filled("invalid")
    book = remote_book(path)
    hitung(book)
    sheet_index = FileWorkbook(path).book.sheetnames.index(
        FileWorkbook(path).table_ref(table_of(2)).sheet
    )
    colours = [
        (a["start_row"], a["start_column"], a["row_count"], a["args"][0])
        for a in book.json()["actions"]
        if a["func"] == "setRangeColor" and a["sheet_position"] == sheet_index
    ]
    assert (16, 1, 4, "#FFF2CC") in colours  # the count columns reset first
    assert (16, 1, 1, "#F4B6B6") in colours  # B17: numerator above denominator
    assert (18, 2, 1, "#F4B6B6") not in colours  # C19 holds 5: fine
    assert (18, 1, 2, "#F4B6B6") in colours  # B19 empty, B20 not a number: one run


def test_what_staff_typed_is_never_written(filled):
    path = filled("invalid")
    book = remote_book(path)
    hitung(book)
    workbook = FileWorkbook(path)
    sheets = workbook.book.sheetnames
    inputs = set()
    for number in range(1, 5):
        refs = [workbook.name_ref(name_of(number, f)) for f in INPUT_FIELDS]
        refs.append(workbook.table_ref(table_of(number)))
        for ref in refs:
            inputs |= {
                (sheets.index(ref.sheet), ref.row - 1 + r, ref.column - 1 + c)
                for r in range(ref.height)
                for c in range(ref.width)
            }
    assert not inputs & set(written_cells(book))


@pytest.mark.parametrize("case", sorted(CASES))
def test_remote_engine_and_file_adapter_write_identical_outputs(filled, tmp_path, case):
    path = filled(case)
    book = remote_book(path)
    hitung(book)
    cells = written_cells(book)

    result = tmp_path / "hasil.xlsm"
    hitung_file(path, result)
    workbook = FileWorkbook(result)
    for number in range(1, 5):
        for field in (*OUTPUT_FIELDS, Field.MESSAGES):
            name = name_of(number, field)
            ref = workbook.name_ref(name)
            sheet, row, column = position(result, name)
            for r in range(ref.height):
                expected = workbook.read(Ref(ref.sheet, ref.row + r, ref.column))[0][0]
                assert cells[(sheet, row + r, column)] == expected, (name, r)


def test_empty_cells_sent_as_empty_strings_are_read_as_empty(filled):
    path = filled("valid")
    payload = payload_from_file(path)
    for sheet in payload["sheets"]:
        sheet["values"] = [
            ["" if v is None else v for v in row] for row in sheet["values"]
        ]
    import xlwings as xw

    book = xw.Book(json=payload)
    outcome = hitung(book)
    assert [r.status.value for r in outcome.results] == [
        "Valid",
        "Belum diisi",
        "Belum diisi",
        "Belum diisi",
    ]


def test_workbook_that_is_not_our_template_gets_an_alert_not_a_traceback(filled):
    path = filled("valid")
    payload = payload_from_file(path)
    payload["names"] = [n for n in payload["names"] if n["name"] != "IKU_Manifest"]
    import xlwings as xw

    book = xw.Book(json=payload)
    assert hitung(book) is None
    (alert,) = [a for a in book.json()["actions"] if a["func"] == "alert"]
    assert "bukan template iku-xl" in alert["args"][0]


def test_unexpected_failure_gets_an_indonesian_alert(filled, monkeypatch):
    book = remote_book(filled("valid"))
    monkeypatch.setattr("iku_xl.excel.run", lambda view: 1 / 0)
    assert hitung(book) is None
    (alert,) = [a for a in book.json()["actions"] if a["func"] == "alert"]
    assert "kesalahan tak terduga" in alert["args"][0]


def test_number_of_actions_does_not_grow_with_the_number_of_rows(tmp_path):
    counts = []
    for rows in (5, 500):
        catalogue = load_catalogue(catalogue_with_rows(rows, tmp_path))
        path = build_template(catalogue, tmp_path / f"t{rows}.xlsm")
        fill(path, {1: valid_inputs(1, [(1, 2)] * rows)})
        book = remote_book(path)
        outcome = hitung(book)
        assert outcome.results[0].numerator == rows
        counts.append(len(book.json()["actions"]))
    assert counts[0] == counts[1]
