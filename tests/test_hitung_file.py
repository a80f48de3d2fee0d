"""Hitung on a workbook on disk: the values a hand calculation gives, and nothing
lost."""

import errno
import hashlib
import os

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from iku_xl.contract import (
    SUMMARY_MESSAGES_NAME,
    SUMMARY_TABLE_NAME,
    Field,
    name_of,
    table_of,
)
from iku_xl.engine import Status
from iku_xl.errors import OutputError, WorkbookError
from iku_xl.workbook_file import FileWorkbook, hitung_file
from tests.content import structure, values
from tests.workbooks import fill, valid_inputs

IKU1_ROWS = [(120, 150), (45, 60), (8, 10), (200, 240)]


def output(path, number, field):
    workbook = FileWorkbook(path)
    ref = workbook.name_ref(name_of(number, field))
    return workbook.read(ref)[0][0]


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_valid_sheet_gives_the_hand_calculation(template_copy):
    fill(template_copy, {1: valid_inputs(1, IKU1_ROWS, target=0.85)})
    outcome = hitung_file(template_copy)
    assert outcome.exit_code == 0
    # 373 / 460 = 0.810869..., capaian 0.810869 / 0.85 = 0.953964...
    assert output(template_copy, 1, Field.NUMERATOR) == 373
    assert output(template_copy, 1, Field.DENOMINATOR) == 460
    assert output(template_copy, 1, Field.REALISATION) == pytest.approx(0.8108696, 1e-6)
    assert output(template_copy, 1, Field.ACHIEVEMENT) == pytest.approx(0.9539642, 1e-6)
    assert output(template_copy, 1, Field.PREDICATE) == "Sangat Tinggi"
    assert output(template_copy, 1, Field.STATUS) == "Valid"
    assert output(template_copy, 2, Field.STATUS) == "Belum diisi"


def test_invalid_inputs_are_reported_in_the_sheet_and_highlighted(template_copy):
    fill(
        template_copy,
        {2: valid_inputs(2, [(5, 4), ("1.234", 2000), (None, 5), (1, 1)])},
    )
    outcome = hitung_file(template_copy)
    assert outcome.exit_code == 1
    assert output(template_copy, 2, Field.STATUS) == "Ada kesalahan"
    assert output(template_copy, 2, Field.REALISATION) is None

    workbook = FileWorkbook(template_copy)
    messages = [
        row[0]
        for row in workbook.read(workbook.name_ref(name_of(2, Field.MESSAGES)))
        if row[0]
    ]
    assert any("B17" in m and "lebih besar" in m for m in messages)
    assert any("B19" in m and "kosong" in m for m in messages)
    assert any('"1.234"' in m and "1234" in m for m in messages)  # read right, noted

    sheet = openpyxl.load_workbook(template_copy)[outcome.results[1].sheet]
    assert sheet["B17"].fill.fgColor.rgb.endswith("F4B6B6")
    assert sheet["B18"].fill.fgColor.rgb.endswith("FFF2CC")  # a note is not a problem


def test_highlights_are_cleared_on_the_next_run(template_copy):
    fill(template_copy, {1: valid_inputs(1, [(11, 10), (1, 1), (1, 1), (1, 1)])})
    hitung_file(template_copy)
    assert output(template_copy, 1, Field.STATUS) == "Ada kesalahan"
    fill(template_copy, {1: {"rows": [(9, 10)]}})
    hitung_file(template_copy)
    sheet = openpyxl.load_workbook(template_copy)[
        FileWorkbook(template_copy).name_ref(name_of(1, Field.TARGET)).sheet
    ]
    assert sheet["B17"].fill.fgColor.rgb.endswith("FFF2CC")
    assert output(template_copy, 1, Field.STATUS) == "Valid"


def test_rekap_sheet_holds_every_iku_and_every_finding(template_copy):
    fill(template_copy, {1: valid_inputs(1, IKU1_ROWS), 4: valid_inputs(4, [(1, 0)])})
    hitung_file(template_copy)
    workbook = FileWorkbook(template_copy)
    rekap = workbook.read(workbook.name_ref(SUMMARY_TABLE_NAME))
    assert [row[0] for row in rekap] == [1, 2, 3, 4]
    assert [row[11] for row in rekap] == [
        "Valid",
        "Belum diisi",
        "Belum diisi",
        "Ada kesalahan",
    ]
    assert rekap[0][7] == pytest.approx(373 / 460)
    findings = [
        row for row in workbook.read(workbook.name_ref(SUMMARY_MESSAGES_NAME)) if row[0]
    ]
    assert findings[0][:3] == [
        "Kesalahan",
        FileWorkbook(template_copy).table_ref(table_of(4)).sheet,
        "B17",
    ]


def test_output_option_leaves_the_input_file_untouched(template_copy, tmp_path):
    fill(template_copy, {1: valid_inputs(1, IKU1_ROWS)})
    before = sha256(template_copy)
    result = tmp_path / "hasil.xlsm"
    hitung_file(template_copy, result)
    assert sha256(template_copy) == before
    assert output(result, 1, Field.STATUS) == "Valid"


def test_every_part_of_the_workbook_survives_a_run(template_copy):
    fill(
        template_copy, {1: valid_inputs(1, IKU1_ROWS), 3: valid_inputs(3, [(1, 2)] * 3)}
    )
    before_structure, before_values = structure(template_copy), values(template_copy)
    hitung_file(template_copy)
    assert structure(template_copy) == before_structure

    after = values(template_copy)
    workbook = FileWorkbook(template_copy)
    for number in (1, 3):  # every input cell as typed
        body = workbook.table_ref(table_of(number))
        for offset in range(body.height):
            for column in range(4):
                cell = body.cell(offset, column)
                assert after[body.sheet].get(cell) == before_values[body.sheet].get(
                    cell
                )


def test_a_failed_write_leaves_no_file_behind(template_copy, tmp_path, monkeypatch):
    fill(template_copy, {1: valid_inputs(1, IKU1_ROWS)})
    before = sha256(template_copy)

    def broken_save(self, filename):
        with open(filename, "wb") as half:
            half.write(b"PK\x03\x04 half a workbook")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(openpyxl.Workbook, "save", broken_save)
    with pytest.raises(OutputError, match="disk penuh"):
        hitung_file(template_copy)
    assert sha256(template_copy) == before
    assert sorted(os.listdir(template_copy.parent)) == ["iku.xlsm"]


@pytest.mark.parametrize(
    "target", ["folder-yang-tidak-ada/hasil.xlsm", "sebuah-folder.xlsm"]
)
def test_output_that_cannot_be_written_is_an_output_error(template_copy, target):
    (template_copy.parent / "sebuah-folder.xlsm").mkdir()
    before = sha256(template_copy)
    with pytest.raises(OutputError, match="Tidak dapat menulis"):
        hitung_file(template_copy, template_copy.parent / target)
    assert sha256(template_copy) == before
    assert sorted(os.listdir(template_copy.parent)) == [
        "iku.xlsm",
        "sebuah-folder.xlsm",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"bukan buku kerja", "bukan buku kerja"), (b"", "kosong")],
)
def test_file_that_is_not_a_workbook_is_refused(tmp_path, content, message):
    path = tmp_path / "palsu.xlsm"
    path.write_bytes(content)
    with pytest.raises(WorkbookError, match=message):
        hitung_file(path)


def test_workbook_without_the_manifest_is_not_our_template(tmp_path):
    path = tmp_path / "lain.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(WorkbookError, match="bukan template iku-xl"):
        hitung_file(path)


def test_formula_typed_as_text_is_refused_as_not_a_number(template_copy):
    fill(template_copy, {1: valid_inputs(1, [("=5+4", 10)])})  # text, not a formula
    result = hitung_file(template_copy).results[0]
    assert result.status is Status.HAS_ERRORS
    assert any(
        '"=5+4"' in f.message and "bukan angka" in f.message for f in result.errors
    )


def test_formula_never_calculated_is_refused_with_its_own_message(template_copy):
    fill(template_copy, {1: valid_inputs(1, IKU1_ROWS)})
    book = openpyxl.load_workbook(template_copy, keep_vba=True)
    sheet = FileWorkbook(template_copy).table_ref(table_of(1)).sheet
    book[sheet]["B17"] = "=5+4"  # a real formula, with no value saved
    book.save(template_copy)
    result = hitung_file(template_copy).results[0]
    assert any(f.rule.value == "formula_without_value" for f in result.errors)


def test_calamine_and_openpyxl_read_the_outputs_back(template_copy, catalogue):
    fill(template_copy, {1: valid_inputs(1, IKU1_ROWS, target=0.85)})
    hitung_file(template_copy)
    sheet = catalogue.indicator(1).sheet
    ref = FileWorkbook(template_copy).name_ref(name_of(1, Field.REALISATION))
    rows = (
        CalamineWorkbook.from_path(str(template_copy))
        .get_sheet_by_name(sheet)
        .to_python()
    )
    assert rows[ref.row - 1][ref.column - 1] == pytest.approx(373 / 460)
    cell = openpyxl.load_workbook(template_copy, data_only=True)[sheet][ref.cell()]
    assert cell.value == pytest.approx(373 / 460)
    assert cell.number_format == "0.00%"


def test_a_replaced_workbook_keeps_its_permissions(template_copy):
    fill(template_copy, {1: valid_inputs(1, IKU1_ROWS)})
    template_copy.chmod(0o664)
    hitung_file(template_copy)
    assert template_copy.stat().st_mode & 0o777 == 0o664


def test_a_new_output_gets_the_usual_permissions(template_copy, tmp_path):
    umask = os.umask(0o022)
    try:
        hitung_file(template_copy, tmp_path / "baru.xlsm")
    finally:
        os.umask(umask)
    assert (tmp_path / "baru.xlsm").stat().st_mode & 0o777 == 0o644


def test_konsolidasi_workbook_is_refused_by_hitung(tmp_path, catalogue):
    from iku_xl.konsolidasi_template import build_consolidation_workbook

    path = build_consolidation_workbook(catalogue, tmp_path / "k.xlsm")
    with pytest.raises(WorkbookError, match="buku kerja Konsolidasi"):
        hitung_file(path)
