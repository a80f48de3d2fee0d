"""Messy and hostile workbooks: every kind gets a clear Indonesian message, never a
crash, a wrong number or lost data, in `iku-xl hitung`, in `iku-xl konsolidasi` and,
where it applies, in the Hitung IKU button."""

import datetime as dt
import hashlib
import io
import json
import zipfile

import openpyxl
import pytest

from iku_xl.cli import main
from iku_xl.errors import WorkbookError
from iku_xl.excel import hitung
from iku_xl.filetype import load
from tests import messy
from tests.remote import payload_from_file, remote_book

NUMBER_CASES = {
    # kind: (first row as typed, expected exit code of hitung, text in its output)
    "text_numbers": (("1.200", "1.500"), 0, "dibaca sebagai 1200"),
    "english_decimal_comma": (("1,234", 2000), 1, "bukan bilangan bulat"),
    "english_grouping": (("1,234.5", 2000), 1, "bukan angka"),
    "non_breaking_space": (("1\u00a0200", 1500), 0, "dibaca sebagai 1200"),
    "narrow_space": (("1\u202f200", 1500), 0, "dibaca sebagai 1200"),
    "leading_apostrophe": (("'120", 150), 0, "dibaca sebagai 120"),
    "negative": ((-5, 150), 1, "bernilai negatif"),
    "fractional": ((2.5, 150), 1, "bukan bilangan bulat"),
    "absurdly_large": ((10**12, 150), 1, "terlalu besar"),
    "date_in_count": ((dt.datetime(2020, 5, 1), 150), 1, "tanggal atau waktu"),
    "boolean_in_count": ((True, 150), 1, "nilai logika"),
}
PERCENT_CASES = {"percent_text": "87,5%", "percent_text_with_space": "87,5 %"}

HITUNG = {
    # kind: (exit code, text in stdout + stderr)
    "formula_without_value": (1, "belum pernah dihitung"),
    "error_values": (1, "nilai galat Excel"),
    "merged_cells": (1, "digabung"),
    "hidden_row": (0, "tersembunyi"),
    "data_below_table": (0, "di bawah tabel"),
    "table_resized": (0, "79,79%"),  # (373 + 10) / (460 + 20)
    "rows_inserted_above": (0, "81,09%"),
    "rows_inserted_inside": (0, "81,09%"),
    "rows_inserted_below": (0, "81,09%"),
    "sheets_renamed_and_reordered": (0, "81,09%"),
    "name_deleted": (1, "IKU1_Target"),
    "name_pointing_at_ref_error": (1, "IKU1_Periode"),
    "protection_removed_labels_edited": (0, "81,09%"),
    "excel_lock_file": (2, "Berkas kunci"),
    "libreoffice_lock_file": (2, "Berkas kunci"),
    "legacy_xls": (2, "97-2003"),
    "html_as_xls": (2, "HTML"),
    "csv_as_xlsx": (2, "teks atau CSV"),
    "good_workbook_wrong_extension": (0, "tidak sesuai isinya"),
    "resaved_as_xlsx": (0, "tanpa makro"),
    "strict_open_xml": (2, "Strict Open XML"),
    "password_protected": (2, "--password"),
    "truncated": (2, "terpotong"),
    "corrupted": (2, "rusak"),
    "zip_bomb": (2, "zip"),
    "xml_entity_bomb": (2, "deklarasi XML"),
    "stray_cell_far_corner": (0, "81,09%"),
    "modified_vba": (0, "81,09%"),
    "xlm_macro_sheet": (0, "81,09%"),
    "auto_open_name": (0, "81,09%"),
    "formula_like_text": (0, "81,09%"),
}

KONSOLIDASI = {
    # kind: (usable, text in the file's reason or in its messages)
    "formula_without_value": (True, "belum pernah dihitung"),
    "error_values": (True, "nilai galat Excel"),
    "merged_cells": (True, "digabung"),
    "hidden_row": (True, "1 IKU terisi"),
    "data_below_table": (True, "di bawah tabel"),
    "table_resized": (True, "1 IKU terisi"),
    "rows_inserted_above": (True, "1 IKU terisi"),
    "rows_inserted_inside": (True, "1 IKU terisi"),
    "rows_inserted_below": (True, "1 IKU terisi"),
    "sheets_renamed_and_reordered": (True, "1 IKU terisi"),
    "name_deleted": (True, "IKU1_Target"),
    "name_pointing_at_ref_error": (True, "IKU1_Periode"),
    "protection_removed_labels_edited": (True, "1 IKU terisi"),
    "excel_lock_file": (False, "Berkas kunci"),
    "libreoffice_lock_file": (False, "Berkas kunci"),
    "legacy_xls": (False, "97-2003"),
    "html_as_xls": (False, "HTML"),
    "csv_as_xlsx": (False, "teks atau CSV"),
    "good_workbook_wrong_extension": (True, "tidak sesuai isinya"),
    "resaved_as_xlsx": (True, "tanpa makro"),
    "strict_open_xml": (False, "Strict Open XML"),
    "password_protected": (False, "--password"),
    "truncated": (False, "terpotong"),
    "corrupted": (False, "rusak"),
    "zip_bomb": (False, "zip"),
    "xml_entity_bomb": (False, "deklarasi XML"),
    "stray_cell_far_corner": (True, "1 IKU terisi"),
    "modified_vba": (True, "Makro berbeda"),
    "xlm_macro_sheet": (True, "XLM"),
    "auto_open_name": (True, "Auto_Open"),
    "formula_like_text": (True, "1 IKU terisi"),
}
NUMERATOR = {  # the IKU 1 numerator consolidation must read, where it is computable
    "table_resized": 383,
    "rows_inserted_above": 373,
    "rows_inserted_inside": 373,
    "rows_inserted_below": 373,
    "sheets_renamed_and_reordered": 373,
    "stray_cell_far_corner": 373,
    "good_workbook_wrong_extension": 373,
    "resaved_as_xlsx": 373,
    "hidden_row": 373,
    "protection_removed_labels_edited": 373,
}
SUSPICIOUS = {"modified_vba", "xlm_macro_sheet", "auto_open_name"}


def run(capsys, *args):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.fixture(scope="module")
def good(tmp_path_factory, built_template):
    return messy.base(built_template, tmp_path_factory.mktemp("good") / "baik.xlsm")


@pytest.fixture(scope="module")
def inbox(tmp_path_factory, good, built_template):
    """Every kind, file and number case in one folder, consolidated once."""
    folder = tmp_path_factory.mktemp("semua") / "masuk"
    folder.mkdir()
    for kind in messy.KINDS:
        messy.build(kind, good, folder)
    for kind, (row, _, _) in NUMBER_CASES.items():
        messy.typed(built_template, folder / f"{kind}.xlsm", [row, *messy.ROWS[1:]])
    for kind, target in PERCENT_CASES.items():
        messy.typed(built_template, folder / f"{kind}.xlsm", messy.ROWS, target=target)
    return folder


def json_of(inbox, tmp_path, capsys, *extra):
    code = main(
        ["konsolidasi", str(inbox), "-o", str(tmp_path / "r.xlsx"), "--json", *extra]
    )
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def all_kinds(inbox, tmp_path_factory):
    """The JSON of one consolidation of the whole folder, and the inputs' hashes."""
    import contextlib
    import io

    before = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.iterdir()
    }
    rekap = tmp_path_factory.mktemp("rekap") / "rekap.xlsx"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["konsolidasi", str(inbox), "-o", str(rekap), "--json"])
    return code, json.loads(out.getvalue()), before, rekap


def about(result, name):
    source = next(r for r in result["sumber"] if r["Berkas"] == name)
    messages = " ".join(r["Pesan"] for r in result["masalah"] if r["Berkas"] == name)
    return source, f"{source['Alasan']} {messages}"


@pytest.mark.parametrize("kind", sorted(HITUNG))
def test_hitung_handles_kind(kind, good, tmp_path, capsys):
    path = messy.build(kind, good, tmp_path)
    before = path.read_bytes()
    suffix = ".xlsx" if kind == "resaved_as_xlsx" else ".xlsm"
    code, output = run(capsys, "hitung", path, "-o", tmp_path / f"hasil{suffix}")
    expected_code, text = HITUNG[kind]
    assert code == expected_code, output
    assert text in output
    assert "Traceback" not in output
    assert path.read_bytes() == before


@pytest.mark.parametrize("kind", sorted(NUMBER_CASES))
def test_hitung_reads_numbers_right_or_refuses_them(
    kind, built_template, tmp_path, capsys
):
    row, expected_code, text = NUMBER_CASES[kind]
    path = messy.typed(built_template, tmp_path / "iku.xlsm", [row, *messy.ROWS[1:]])
    code, output = run(capsys, "hitung", path)
    assert code == expected_code, output
    assert text in output


@pytest.mark.parametrize("kind", sorted(PERCENT_CASES))
def test_percent_typed_as_text_is_read_as_a_fraction(
    kind, built_template, tmp_path, capsys
):
    path = messy.typed(
        built_template, tmp_path / "iku.xlsm", messy.ROWS, target=PERCENT_CASES[kind]
    )
    code, output = run(capsys, "hitung", path)
    assert code == 0
    assert "87,50%" in output and "dibaca sebagai 0,875" in output


@pytest.mark.parametrize("kind", sorted(KONSOLIDASI))
def test_konsolidasi_handles_kind(kind, all_kinds):
    _, result, _, _ = all_kinds
    source, text = about(result, messy.file_name(kind))
    usable, expected = KONSOLIDASI[kind]
    assert (source["Status"] == "Dipakai") is usable
    assert expected in text


@pytest.mark.parametrize("kind", sorted(NUMERATOR))
def test_konsolidasi_reads_the_right_numbers(kind, inbox, tmp_path, capsys):
    path = inbox / messy.file_name(kind)
    folder = tmp_path / "satu"
    folder.mkdir()
    (folder / path.name).write_bytes(path.read_bytes())
    _, result = json_of(folder, tmp_path, capsys)
    assert result["rekap_iku"][0]["Pembilang"] == NUMERATOR[kind]


@pytest.mark.parametrize("kind", sorted(NUMBER_CASES))
def test_konsolidasi_reads_numbers_like_hitung(kind, all_kinds):
    _, result, _, _ = all_kinds
    _, text = about(result, f"{kind}.xlsm")
    assert NUMBER_CASES[kind][2] in text


def test_konsolidasi_of_every_kind_finishes_lists_each_and_changes_nothing(
    all_kinds, inbox
):
    code, result, before, rekap = all_kinds
    assert code == 1
    assert {r["Berkas"] for r in result["sumber"]} == set(before)
    assert all(r["Alasan"] for r in result["sumber"])
    after = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in inbox.iterdir()
    }
    assert after == before
    assert openpyxl.load_workbook(rekap).sheetnames[0] == "Rekap IKU"


def test_suspicious_macros_are_flagged_in_sumber(all_kinds):
    _, result, _, _ = all_kinds
    flagged = {
        r["Berkas"]
        for r in result["sumber"]
        if (r["Makro"] or "").startswith("mencurigakan")
    }
    assert flagged == {messy.file_name(k) for k in SUSPICIOUS}
    official = {
        r["Sidik VBA"]
        for r in result["sumber"]
        if r["Berkas"] == messy.file_name("rows_inserted_above")
    }
    assert len(official) == 1 and None not in official


def test_karantina_copies_exactly_the_suspicious_files(inbox, tmp_path, capsys):
    code = main(
        [
            "konsolidasi",
            str(inbox),
            "-o",
            str(tmp_path / "r.xlsx"),
            "--karantina",
            str(tmp_path / "karantina"),
        ]
    )
    capsys.readouterr()
    assert code == 1
    copied = sorted(p.name for p in (tmp_path / "karantina").iterdir())
    assert copied == sorted(messy.file_name(k) for k in SUSPICIOUS)
    for name in copied:
        assert (tmp_path / "karantina" / name).read_bytes() == (
            inbox / name
        ).read_bytes()


def test_password_option_decrypts_for_konsolidasi(good, tmp_path, capsys):
    folder = tmp_path / "terkunci"
    folder.mkdir()
    messy.build("password_protected", good, folder)
    code, result = json_of(folder, tmp_path, capsys, "--password", messy.PASSWORD)
    assert code == 1  # IKU 2-4 not submitted
    assert result["rekap_iku"][0]["Pembilang"] == 373
    _code, result = json_of(folder, tmp_path, capsys, "--password", "salah")
    assert "salah" in result["sumber"][0]["Alasan"]


def test_password_option_decrypts_for_hitung_and_keeps_the_output_protected(
    good, tmp_path, capsys
):
    path = messy.build("password_protected", good, tmp_path)
    output = tmp_path / "hasil.xlsm"
    code, text = run(capsys, "hitung", path, "-o", output, "--password", messy.PASSWORD)
    assert code == 0 and "81,09%" in text
    with pytest.raises(WorkbookError, match="kata sandi"):
        load(output)
    data, found = load(output, messy.PASSWORD)
    assert found.encrypted and zipfile.is_zipfile(io.BytesIO(data))


def test_text_that_looks_like_a_formula_stays_text(good, tmp_path, capsys):
    path = messy.build("formula_like_text", good, tmp_path)
    run(capsys, "hitung", path)
    book = openpyxl.load_workbook(path)
    sheet = book[messy.SHEET]
    for cell in ("B6", "D17", "A18"):
        assert sheet[cell].data_type == "s"
    rekap = tmp_path / "r.xlsx"
    folder = tmp_path / "f"
    folder.mkdir()
    (folder / path.name).write_bytes(path.read_bytes())
    main(["konsolidasi", str(folder), "-o", str(rekap)])
    capsys.readouterr()
    sources = openpyxl.load_workbook(rekap)["Sumber"]
    fillers = [
        c
        for row in sources.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")
    ]
    assert fillers and all(c.data_type == "s" for c in fillers)


def test_output_that_is_locked_is_reported(good, tmp_path, capsys, monkeypatch):
    import os

    def locked(source, target):
        raise PermissionError(13, "The process cannot access the file", str(target))

    monkeypatch.setattr(os, "replace", locked)
    code, text = run(capsys, "hitung", good, "-o", tmp_path / "hasil.xlsm")
    assert code == 2 and "Tidak dapat menulis" in text
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "kind",
    [
        "text_numbers",
        "english_grouping",
        "negative",
        "date_in_count",
        "boolean_in_count",
    ],
)
def test_button_reads_numbers_like_hitung(kind, built_template, tmp_path):
    row, expected_code, text = NUMBER_CASES[kind]
    path = messy.typed(built_template, tmp_path / "iku.xlsm", [row, *messy.ROWS[1:]])
    outcome = hitung(remote_book(path))
    result = outcome.results[0]
    assert any(text in f.message for f in result.findings)
    assert (outcome.exit_code == 0) is (expected_code == 0)


@pytest.mark.parametrize(
    "kind", ["error_values", "name_deleted", "data_below_table", "table_resized"]
)
def test_button_handles_kind(kind, good, tmp_path):
    path = messy.build(kind, good, tmp_path)
    outcome = hitung(remote_book(path))
    expected_code, text = HITUNG[kind]
    assert outcome.exit_code == expected_code
    findings = " ".join(f.message for r in outcome.results for f in r.findings)
    assert text in findings or text in outcome.summary()


def test_button_reads_an_error_value_sent_by_excel(good, tmp_path):
    payload = payload_from_file(good)
    sheet = next(s for s in payload["sheets"] if s["name"] == messy.SHEET)
    sheet["values"][16][1] = "#VALUE!"
    import xlwings as xw

    outcome = hitung(xw.Book(json=payload))
    assert any("nilai galat Excel" in f.message for f in outcome.results[0].findings)


def test_hitung_warns_about_macros_unlike_the_template(good, tmp_path, capsys):
    path = messy.build("modified_vba", good, tmp_path)
    code, output = run(capsys, "hitung", path, "-o", tmp_path / "hasil.xlsm")
    assert code == 0 and "Makro berbeda dari template resmi" in output
