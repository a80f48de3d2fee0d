"""The template: built from the catalogue, committed, and holding the workbook
contract."""

import openpyxl
import pytest

from iku_xl.catalogue import MAX_SHEET_NAME, load_catalogue
from iku_xl.contract import (
    CONFIG_SHEET,
    INPUT_FIELDS,
    MANIFEST_SHEET,
    OUTPUT_FIELDS,
    SUMMARY_SHEET,
    Field,
    name_of,
    read_manifest,
    table_of,
)
from iku_xl.numbers import MAX_COUNT
from iku_xl.template import build_template
from iku_xl.vba import MACRO_NAME
from iku_xl.workbook_file import FileWorkbook
from tests.conftest import ROOT
from tests.content import buttons, structure, values

COMMITTED = ROOT / "workbook_template.xlsm"


def test_committed_template_matches_a_fresh_build_in_content(built_template):
    assert structure(COMMITTED) == structure(built_template), (
        "workbook_template.xlsm is stale: run scripts/build_template.py and commit it"
    )
    assert values(COMMITTED) == values(built_template)


def test_sheets_are_instructions_bidang_sheets_rekap_and_hidden_machinery(
    built_template, catalogue
):
    book = openpyxl.load_workbook(built_template)
    assert book.sheetnames == [
        "Petunjuk",
        *(i.sheet for i in catalogue.indicators),
        SUMMARY_SHEET,
        CONFIG_SHEET,
        MANIFEST_SHEET,
    ]
    assert all(len(name) <= MAX_SHEET_NAME for name in book.sheetnames)
    assert [book[n].sheet_state for n in (CONFIG_SHEET, MANIFEST_SHEET)] == [
        "hidden"
    ] * 2


def test_every_contract_name_points_at_one_cell_of_its_bidang_sheet(
    built_template, catalogue
):
    workbook = FileWorkbook(built_template)
    for indicator in catalogue.indicators:
        for field in (*INPUT_FIELDS, *OUTPUT_FIELDS):
            ref = workbook.name_ref(name_of(indicator.number, field))
            assert (ref.sheet, ref.height, ref.width) == (indicator.sheet, 1, 1)
        body = workbook.table_ref(table_of(indicator.number))
        assert body.height == len(indicator.components)


def test_input_table_columns_and_component_rows_follow_the_catalogue(
    built_template, catalogue
):
    book = openpyxl.load_workbook(built_template)
    indicator = catalogue.indicator(1)
    table = book[indicator.sheet].tables[table_of(1)]
    assert [c.name for c in table.tableColumns] == [
        "Komponen",
        "Pembilang",
        "Penyebut",
        "Keterangan",
    ]
    workbook = FileWorkbook(built_template)
    labels = [row[0] for row in workbook.read(workbook.table_ref(table_of(1)))]
    assert labels == [
        "Penyandang cacat fisik (orang)",
        "Penyandang cacat mental (orang)",
        "Korban trafficking (orang)",
        "Lanjut usia tidak potensial (orang)",
    ]


def test_inputs_are_unlocked_and_outputs_locked_on_protected_sheets(
    built_template, catalogue
):
    book = openpyxl.load_workbook(built_template)
    workbook = FileWorkbook(built_template)
    for field, locked in (
        (Field.TARGET, False),
        (Field.YEAR, False),
        (Field.REALISATION, True),
        (Field.STATUS, True),
    ):
        ref = workbook.name_ref(name_of(2, field))
        sheet = book[ref.sheet]
        assert sheet.protection.sheet
        assert sheet[ref.cell()].protection.locked is locked


def test_percent_cells_are_formatted_as_percentages(built_template):
    book = openpyxl.load_workbook(built_template)
    workbook = FileWorkbook(built_template)
    for field in (Field.TARGET, Field.REALISATION, Field.ACHIEVEMENT):
        ref = workbook.name_ref(name_of(1, field))
        assert book[ref.sheet][ref.cell()].number_format == "0.00%"


def test_count_cells_accept_only_whole_numbers_from_zero(built_template, catalogue):
    book = openpyxl.load_workbook(built_template)
    sheet = book[catalogue.indicator(3).sheet]
    rules = {
        (str(v.sqref), v.type, v.operator, v.formula1, v.formula2)
        for v in sheet.data_validations.dataValidation
    }
    # OOXML leaves out the operator "between", its default.
    assert ("B17:C19", "whole", None, "0", str(MAX_COUNT)) in rules
    periods = [v for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert periods[0].formula1 == '"TW I,TW II,TW III,TW IV,Tahunan"'


def test_every_bidang_sheet_has_one_hitung_button_bound_to_the_macro(built_template):
    found = buttons(built_template)
    assert found == [("Hitung IKU", f"[0]!{MACRO_NAME}")] * 4


def test_print_setup_is_a4(built_template):
    book = openpyxl.load_workbook(built_template)
    assert {book[name].page_setup.paperSize for name in book.sheetnames[:6]} == {9}


def test_manifest_carries_version_and_catalogue(built_template, catalogue):
    manifest = read_manifest(FileWorkbook(built_template))
    assert manifest.catalogue.digest == catalogue.digest
    assert manifest.catalogue.indicators == catalogue.indicators


def test_another_catalogue_builds_a_template_for_another_year(tmp_path):
    source = (ROOT / "iku_xl" / "data" / "catalogue_2020.toml").read_text()
    other = tmp_path / "katalog_2025.toml"
    other.write_text(source.replace("year = 2020", "year = 2025"))
    path = build_template(load_catalogue(other), tmp_path / "t2025.xlsm")
    assert read_manifest(FileWorkbook(path)).catalogue.year == 2025


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("schema = 1", "schema = 9"), "schema"),
        (
            (
                'sheet = "IKU 1 Rehabilitasi Sosial"',
                'sheet = "IKU 1 Rehabilitasi Sosial Kabupaten"',
            ),
            "31 karakter",
        ),
        (("number = 2", "number = 1"), "nomor IKU tidak boleh kembar"),
        (("minimum = 76", "minimum = 95"), "urut"),
        (
            (
                'components = [\n    { name = "Pendampingan" },',
                'components = [\n    { name = "Pemberdayaan" },',
            ),
            "komponen tidak boleh kembar",
        ),
        (("year = 2020", "year = 1920"), "antara 2000 dan 2100"),
        (
            ('unit = "orang"\nname', 'unit = "orang"\ncolour = "merah"\nname'),
            "kunci tidak dikenal 'colour'",
        ),
        (
            (
                '{ name = "Pemberdayaan perorangan", unit = "orang" }',
                '{ name = "Pemberdayaan perorangan", unit = 3 }',
            ),
            "'unit' harus berupa teks",
        ),
        (('sheet = "IKU 1 Rehabilitasi Sosial"', 'sheet = "\'IKU 1"'), "tanda petik"),
    ],
)
def test_bad_catalogue_is_refused_with_a_clear_error(tmp_path, change, message):
    from iku_xl.errors import CatalogueError

    source = (ROOT / "iku_xl" / "data" / "catalogue_2020.toml").read_text()
    assert change[0] in source
    bad = tmp_path / "bad.toml"
    bad.write_text(source.replace(change[0], change[1], 1))
    with pytest.raises(CatalogueError, match=message):
        load_catalogue(bad)


def test_catalogue_that_is_not_toml_is_refused(tmp_path):
    from iku_xl.errors import CatalogueError

    bad = tmp_path / "bad.toml"
    bad.write_text("[[indicator]\nnumber = ")
    with pytest.raises(CatalogueError, match="bukan TOML"):
        load_catalogue(bad)


def test_catalogue_saved_with_windows_line_endings_builds_a_usable_template(tmp_path):
    source = (ROOT / "iku_xl" / "data" / "catalogue_2020.toml").read_text()
    notepad = tmp_path / "notepad.toml"
    notepad.write_bytes(b"\xef\xbb\xbf" + source.replace("\n", "\r\n").encode())
    catalogue = load_catalogue(notepad)
    assert catalogue.digest == load_catalogue().digest
    path = build_template(catalogue, tmp_path / "t.xlsm")
    assert read_manifest(FileWorkbook(path)).catalogue.digest == catalogue.digest


def test_indicator_sheet_named_like_a_template_sheet_is_refused(tmp_path):
    from iku_xl.errors import CatalogueError

    source = (ROOT / "iku_xl" / "data" / "catalogue_2020.toml").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(
        source.replace('sheet = "IKU 1 Rehabilitasi Sosial"', 'sheet = "Rekap IKU"')
    )
    with pytest.raises(CatalogueError, match="sudah dipakai template"):
        build_template(load_catalogue(bad), tmp_path / "t.xlsm")
