"""The command line, in-process: exit codes and what staff read."""

import hashlib

import pytest

from iku_xl.cli import main
from tests.workbooks import fill, valid_inputs

IKU1_ROWS = [(120, 150), (45, 60), (8, 10), (200, 240)]


def run(capsys, *args):
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_hitung_on_a_valid_workbook_exits_0_and_prints_the_rekap(template_copy, capsys):
    fill(template_copy, {1: valid_inputs(1, IKU1_ROWS, target=0.85)})
    code, out, err = run(capsys, "hitung", str(template_copy))
    assert code == 0
    assert "81,09%" in out and "95,40%" in out and "Sangat Tinggi" in out
    assert err == ""


def test_hitung_with_problems_exits_1_and_lists_them(template_copy, capsys):
    fill(template_copy, {1: valid_inputs(1, [(11, 10), (1, 1), (1, 1), (1, 1)])})
    code, out, _ = run(capsys, "hitung", str(template_copy))
    assert code == 1
    assert "Ada kesalahan" in out
    assert "B17" in out and "lebih besar" in out


def test_hitung_with_output_leaves_the_input_untouched(template_copy, tmp_path, capsys):
    fill(template_copy, {1: valid_inputs(1, IKU1_ROWS)})
    before = hashlib.sha256(template_copy.read_bytes()).hexdigest()
    code, _, _ = run(
        capsys, "hitung", str(template_copy), "-o", str(tmp_path / "o.xlsm")
    )
    assert code == 0
    assert hashlib.sha256(template_copy.read_bytes()).hexdigest() == before
    assert (tmp_path / "o.xlsm").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["hitung", "tidak-ada.xlsm"], "tidak ditemukan"),
        (["hitung"], "BERKAS' belum diberikan"),
        (["hitung", "x.xlsm", "--salah"], "opsi '--salah' tidak dikenal"),
    ],
)
def test_unusable_invocation_exits_2_with_an_indonesian_message(capsys, args, message):
    code, out, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in out + err


def test_text_file_under_an_excel_name_exits_2_without_traceback(tmp_path, capsys):
    path = tmp_path / "laporan.xlsm"
    path.write_text("ini bukan buku kerja")
    code, out, err = run(capsys, "hitung", str(path))
    assert code == 2
    assert "laporan.xlsm" in err and "bukan buku kerja" in err
    assert "Traceback" not in out + err


def test_template_command_builds_a_template_from_a_catalogue(tmp_path, capsys):
    target = tmp_path / "baru.xlsm"
    code, _, _ = run(capsys, "template", "-o", str(target))
    assert code == 0 and target.is_file()


def test_demo_prints_the_four_iku_and_writes_the_filled_workbook(tmp_path, capsys):
    code, out, _ = run(
        capsys,
        "demo",
        "--template",
        str(tmp_path / "tidak-ada.xlsm"),
        "--folder",
        str(tmp_path / "out"),
    )
    assert code == 0
    for value in ("81,09%", "70,36%", "90,53%", "57,58%"):
        assert value in out
    assert "ilustrasi" in out
    assert (tmp_path / "out" / "contoh_iku_terisi.xlsm").is_file()


def test_template_is_never_written_over_an_existing_file(tmp_path, capsys):
    filled = tmp_path / "isian.xlsm"
    filled.write_bytes(b"isian staf")
    code, _, err = run(capsys, "template", "-o", str(filled))
    assert code == 2 and "--timpa" in err
    assert filled.read_bytes() == b"isian staf"


@pytest.mark.parametrize("target", ["t.xlsx", "tidak-ada/t.xlsm"])
def test_template_needs_an_xlsm_name_in_an_existing_folder(tmp_path, capsys, target):
    code, _, _err = run(capsys, "template", "-o", str(tmp_path / target))
    assert code == 2 and not (tmp_path / "tidak-ada").exists()


def test_output_that_is_the_input_itself_is_refused(template_copy, capsys):
    before = hashlib.sha256(template_copy.read_bytes()).hexdigest()
    code, _, err = run(capsys, "hitung", str(template_copy), "-o", str(template_copy))
    assert code == 2 and "berkas masukan itu sendiri" in err
    assert hashlib.sha256(template_copy.read_bytes()).hexdigest() == before


def test_no_arguments_prints_the_help(capsys):
    code, out, _ = run(capsys)
    assert code == 0 and "hitung" in out and "konsolidasi" in out


def test_unknown_command_is_explained_in_indonesian(capsys):
    code, _, err = run(capsys, "hitungg")
    assert code == 2 and "perintah tidak dikenal" in err


def test_json_failure_is_reported_on_stdout(tmp_path, capsys):
    code, out, _ = run(
        capsys,
        "konsolidasi",
        str(tmp_path / "x"),
        "-o",
        str(tmp_path / "r.xlsx"),
        "--json",
    )
    assert code == 2 and '"kode_keluar": 2' in out
