"""The Konsolidasi button, driven through xlwings' remote engine like Hitung."""

import shutil

import openpyxl
import pytest

from iku_xl.contract import (
    CONSOLIDATION_FOLDER_NAME,
    CONSOLIDATION_LATEST_NAME,
    CONSOLIDATION_MESSAGES_NAME,
    CONSOLIDATION_RESULT_NAME,
    CONSOLIDATION_SUMMARY_NAME,
)
from iku_xl.excel import konsolidasi
from iku_xl.outputs import Write
from iku_xl.workbook_file import FileWorkbook, hitung_file
from tests.conftest import ROOT
from tests.content import buttons, structure, values
from tests.remote import remote_book
from tests.test_excel_remote import written_cells
from tests.workbooks import fill, valid_inputs

COMMITTED = ROOT / "konsolidasi_template.xlsm"


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory, catalogue):
    from iku_xl.konsolidasi_template import build_consolidation_workbook

    return build_consolidation_workbook(
        catalogue, tmp_path_factory.mktemp("k") / "konsolidasi.xlsm"
    )


def type_into(path, cells: dict[str, object]):
    workbook = FileWorkbook(path)
    workbook.apply([Write(workbook.name_ref(n), [[v]]) for n, v in cells.items()])
    workbook.save()


def cell(path, book, name):
    workbook = FileWorkbook(path)
    ref = workbook.name_ref(name)
    index = workbook.book.sheetnames.index(ref.sheet)
    return written_cells(book).get((index, ref.row - 1, ref.column - 1)), ref


def test_committed_consolidation_workbook_matches_a_fresh_build(fresh_build):
    assert structure(COMMITTED) == structure(fresh_build)
    assert values(COMMITTED) == values(fresh_build)


def test_consolidation_workbook_has_its_button_bound_to_the_macro(fresh_build):
    assert buttons(fresh_build) == [("Konsolidasi", "[0]!KonsolidasiIKU")]


def test_button_consolidates_the_typed_folder_and_writes_the_rekap(
    tmp_path, fresh_build, built_template
):
    inbox = tmp_path / "masuk"
    inbox.mkdir()
    shutil.copy(built_template, inbox / "rehsos.xlsm")
    fill(
        inbox / "rehsos.xlsm",
        {1: valid_inputs(1, [(120, 150), (45, 60), (8, 10), (200, 240)], 0.85)},
    )
    hitung_file(inbox / "rehsos.xlsm")
    planner = tmp_path / "konsolidasi.xlsm"
    shutil.copy(fresh_build, planner)
    type_into(
        planner,
        {CONSOLIDATION_FOLDER_NAME: str(inbox), CONSOLIDATION_LATEST_NAME: "Tidak"},
    )

    book = remote_book(planner)
    result = konsolidasi(book)
    assert result.entries[0].chosen.result.numerator == 373
    rekap = inbox / "Rekap_IKU.xlsx"
    assert rekap.is_file()
    assert openpyxl.load_workbook(rekap).sheetnames[0] == "Rekap IKU"

    workbook = FileWorkbook(planner)
    table = workbook.name_ref(CONSOLIDATION_RESULT_NAME)
    index = workbook.book.sheetnames.index(table.sheet)
    cells = written_cells(book)
    first = [cells[(index, table.row - 1, table.column - 1 + c)] for c in range(9)]
    assert first[:3] == [1, "Rehabilitasi Sosial", pytest.approx(373 / 460)]
    assert first[6] == "Valid"
    second_status = cells[(index, table.row, table.column - 1 + 6)]
    assert second_status == "Belum dikirim"
    summary, _ = cell(planner, book, CONSOLIDATION_SUMMARY_NAME)
    assert "1 dari 4 IKU valid" in summary and "Rekap_IKU.xlsx" in summary
    messages, _ = cell(planner, book, CONSOLIDATION_MESSAGES_NAME)
    assert messages and "Belum ada berkas" in messages
    (alert,) = [a for a in book.json()["actions"] if a["func"] == "alert"]
    assert alert["args"][0] == summary


def test_empty_folder_cell_gets_an_indonesian_alert(tmp_path, fresh_build):
    planner = tmp_path / "konsolidasi.xlsm"
    shutil.copy(fresh_build, planner)
    book = remote_book(planner)
    assert konsolidasi(book) is None
    (alert,) = [a for a in book.json()["actions"] if a["func"] == "alert"]
    assert "Folder berkas belum diisi" in alert["args"][0]


def test_folder_that_does_not_exist_gets_an_alert_naming_it(tmp_path, fresh_build):
    planner = tmp_path / "konsolidasi.xlsm"
    shutil.copy(fresh_build, planner)
    type_into(planner, {CONSOLIDATION_FOLDER_NAME: str(tmp_path / "tidak-ada")})
    book = remote_book(planner)
    assert konsolidasi(book) is None
    (alert,) = [a for a in book.json()["actions"] if a["func"] == "alert"]
    assert "Tidak ditemukan" in alert["args"][0] and "tidak-ada" in alert["args"][0]


def test_consolidation_macro_hands_over_to_python(fresh_build):
    from tests.content import vba_modules

    source = vba_modules(COMMITTED)["IkuXl"]
    assert "Public Sub KonsolidasiIKU()" in source
    assert 'RunPython "import iku_xl.excel; iku_xl.excel.konsolidasi()"' in source
