"""Consolidation of many emailed workbooks into one Rekap."""

import errno
import hashlib
import json
import shutil

import openpyxl
import pytest

from iku_xl.catalogue import load_catalogue
from iku_xl.cli import main
from iku_xl.workbook_file import hitung_file
from tests.conftest import ROOT
from tests.workbooks import fill, valid_inputs

ROWS = {
    1: [(120, 150), (45, 60), (8, 10), (200, 240)],
    2: [(900, 1200), (650, 1000), (300, 400), (120, 200)],
    3: [(1500, 1600), (300, 350), (2500, 2800)],
    4: [(150, 250), (80, 150), (20, 40), (12, 15)],
}


def workbook(
    built_template,
    path,
    number,
    rows=None,
    period="TW I",
    computed=True,
    date="2021-01-10",
):
    shutil.copy(built_template, path)
    spec = valid_inputs(number, rows or ROWS[number])
    spec.update(period=period, date=date)
    fill(path, {number: spec})
    if computed:
        hitung_file(path)
    return path


def hashes(folder):
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
    }


def run(capsys, *args):
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def complete(tmp_path, built_template):
    """A folder with one valid workbook from each Bidang."""
    folder = tmp_path / "lengkap"
    folder.mkdir()
    for number in ROWS:
        workbook(built_template, folder / f"iku{number}.xlsm", number)
    return folder


@pytest.fixture
def mailbox(tmp_path, built_template):
    """The acceptance folder: four Bidang (renamed), a resubmission with other numbers,
    an exact duplicate, a text file and a truncated workbook."""
    folder = tmp_path / "kotak_masuk"
    folder.mkdir()
    workbook(built_template, folder / "rehsos_final.xlsm", 1)
    workbook(built_template, folder / "Laporan PFM (2).xlsm", 2)
    workbook(built_template, folder / "linjamsos.xlsm", 3, computed=False)
    workbook(built_template, folder / "dayasos.xlsm", 4, date="2021-01-10")
    workbook(
        built_template,
        folder / "dayasos_revisi.xlsm",
        4,
        rows=[(160, 250), (80, 150), (20, 40), (12, 15)],
        date="2021-01-12",
    )
    shutil.copy(folder / "rehsos_final.xlsm", folder / "salinan rehsos.xlsm")
    (folder / "catatan.txt").write_text("tolong dicek ya")
    whole = (folder / "rehsos_final.xlsm").read_bytes()
    (folder / "terpotong.xlsm").write_bytes(whole[: len(whole) // 2])
    return folder


def test_acceptance_folder_gives_three_iku_one_conflict_and_explained_files(
    mailbox, tmp_path, capsys
):
    before = hashes(mailbox)
    rekap = tmp_path / "rekap.xlsx"
    code, out, _err = run(capsys, "konsolidasi", mailbox, "-o", rekap, "--json")
    assert code == 1
    assert hashes(mailbox) == before
    result = json.loads(out)
    rows = {r["IKU"]: r for r in result["rekap_iku"]}
    assert rows[1]["Realisasi"] == pytest.approx(373 / 460)
    assert rows[2]["Realisasi"] == pytest.approx(1970 / 2800)
    assert rows[3]["Realisasi"] == pytest.approx(4300 / 4750)
    assert [rows[n]["Status"] for n in (1, 2, 3)] == ["Valid"] * 3
    assert rows[4]["Status"] == "Konflik" and rows[4]["Realisasi"] is None
    assert "dayasos.xlsm" in rows[4]["Alasan"]
    assert "dayasos_revisi.xlsm" in rows[4]["Alasan"]

    conflict = [r for r in result["konflik"] if r["IKU"] == 4]
    assert {r["Berkas"]: r["Pembilang"] for r in conflict} == {
        "dayasos.xlsm": 262,
        "dayasos_revisi.xlsm": 272,
    }

    sources = {r["Berkas"]: r for r in result["sumber"]}
    assert sources["catatan.txt"]["Status"] == "Tidak dapat dipakai"
    assert "bukan buku kerja" in sources["catatan.txt"]["Alasan"]
    assert sources["terpotong.xlsm"]["Status"] == "Tidak dapat dipakai"
    assert "rusak" in sources["terpotong.xlsm"]["Alasan"]
    assert (
        sources["rehsos_final.xlsm"]["SHA-256"]
        == hashlib.sha256((mailbox / "rehsos_final.xlsm").read_bytes()).hexdigest()
    )
    messages = [r["Pesan"] for r in result["masalah"]]
    assert any("sama persis" in m and "rehsos_final.xlsm" in m for m in messages)
    assert any("belum pernah dihitung" in m for m in messages)  # linjamsos


def test_rekap_workbook_exposes_the_contract_output_names(mailbox, tmp_path, capsys):
    rekap = tmp_path / "rekap.xlsx"
    run(capsys, "konsolidasi", mailbox, "-o", rekap)
    book = openpyxl.load_workbook(rekap)
    assert book.sheetnames == [
        "Rekap IKU",
        "Rincian IKU 1",
        "Rincian IKU 2",
        "Rincian IKU 3",
        "Rincian IKU 4",
        "Konflik",
        "Sumber",
        "Masalah",
    ]

    def named(name):
        ((sheet, address),) = book.defined_names[name].destinations
        return book[sheet][address.replace("$", "")].value

    assert named("IKU1_Pembilang") == 373
    assert named("IKU1_Realisasi") == pytest.approx(373 / 460)
    assert named("IKU1_Status") == "Valid"
    assert named("IKU4_Status") == "Konflik"
    assert named("IKU4_Realisasi") is None
    assert book["Rekap IKU"]._charts, (
        "the Rekap has a chart of realisasi against target"
    )
    detail = [
        row for row in book["Rincian IKU 1"].iter_rows(min_row=2, values_only=True)
    ]
    assert detail[0][:5] == (
        "Penyandang cacat fisik (orang)",
        120,
        150,
        None,
        "rehsos_final.xlsm",
    )


def test_terminal_summary_shows_conflict_side_by_side(mailbox, tmp_path, capsys):
    code, out, _ = run(capsys, "konsolidasi", mailbox, "-o", tmp_path / "r.xlsx")
    assert code == 1
    assert "Konflik IKU 4" in out
    assert "dayasos_revisi.xlsm" in out and "12/01/2021" in out
    assert "6 dari 8 berkas dipakai" in out
    assert "Traceback" not in out


def test_take_latest_chooses_the_newest_submission(mailbox, tmp_path, capsys):
    code, out, _ = run(
        capsys,
        "konsolidasi",
        mailbox,
        "-o",
        tmp_path / "r.xlsx",
        "--ambil-terbaru",
        "--json",
    )
    rows = {r["IKU"]: r for r in json.loads(out)["rekap_iku"]}
    assert rows[4]["Pembilang"] == 272
    assert rows[4]["Berkas"] == "dayasos_revisi.xlsm"
    assert code == 1  # the two bad files remain


def test_complete_and_valid_folder_exits_0(tmp_path, built_template, capsys, complete):
    folder = complete
    code, out, _ = run(capsys, "konsolidasi", folder, "-o", tmp_path / "r.xlsx")
    assert code == 0, out


def test_iku_nobody_sent_is_reported_as_not_submitted(tmp_path, built_template, capsys):
    folder = tmp_path / "sebagian"
    folder.mkdir()
    workbook(built_template, folder / "a.xlsm", 1)
    code, out, _ = run(
        capsys, "konsolidasi", folder, "-o", tmp_path / "r.xlsx", "--json"
    )
    rows = {r["IKU"]: r["Status"] for r in json.loads(out)["rekap_iku"]}
    assert rows == {
        1: "Valid",
        2: "Belum dikirim",
        3: "Belum dikirim",
        4: "Belum dikirim",
    }
    assert code == 1


def test_several_periods_are_refused_unless_one_is_chosen(
    tmp_path, built_template, capsys
):
    folder = tmp_path / "campur"
    folder.mkdir()
    workbook(built_template, folder / "tw1.xlsm", 1, period="TW I")
    workbook(built_template, folder / "tw2.xlsm", 1, period="TW II", rows=[(1, 2)] * 4)
    code, _, err = run(capsys, "konsolidasi", folder, "-o", tmp_path / "r.xlsx")
    assert code == 2
    assert "lebih dari satu periode" in err and "--periode" in err
    assert not (tmp_path / "r.xlsx").exists()

    code, out, _ = run(
        capsys,
        "konsolidasi",
        folder,
        "-o",
        tmp_path / "r.xlsx",
        "--tahun",
        "2020",
        "--periode",
        "TW II",
        "--json",
    )
    result = json.loads(out)
    assert result["periode"] == "TW II"
    assert result["rekap_iku"][0]["Pembilang"] == 4
    assert any("di luar periode" in r["Pesan"] for r in result["masalah"])


def test_inputs_changed_after_the_last_hitung_are_reported(
    tmp_path, built_template, capsys
):
    folder = tmp_path / "diubah"
    folder.mkdir()
    path = workbook(built_template, folder / "rehsos.xlsm", 1)
    fill(path, {1: {"rows": [(130, 150)]}})  # changed after Hitung, not recomputed
    _code, out, _ = run(
        capsys, "konsolidasi", folder, "-o", tmp_path / "r.xlsx", "--json"
    )
    result = json.loads(out)
    assert result["rekap_iku"][0]["Pembilang"] == 383  # recomputed, not the stored 373
    assert any(
        "diubah setelah Hitung IKU terakhir" in r["Pesan"] for r in result["masalah"]
    )


def test_workbook_of_another_template_is_listed_with_its_reason(
    tmp_path, built_template, capsys
):
    from iku_xl.template import build_template

    source = (ROOT / "iku_xl" / "data" / "catalogue_2020.toml").read_text()
    other = tmp_path / "k2025.toml"
    other.write_text(source.replace("year = 2020", "year = 2025"))
    folder = tmp_path / "lain"
    folder.mkdir()
    build_template(load_catalogue(other), folder / "tahun_lain.xlsm")
    workbook(built_template, folder / "benar.xlsm", 1)
    _code, out, _ = run(
        capsys, "konsolidasi", folder, "-o", tmp_path / "r.xlsx", "--json"
    )
    sources = {r["Berkas"]: r for r in json.loads(out)["sumber"]}
    assert sources["tahun_lain.xlsm"]["Status"] == "Tidak dapat dipakai"
    assert "template lain" in sources["tahun_lain.xlsm"]["Alasan"]


def test_many_files_are_read_in_parallel_with_the_same_result(
    tmp_path, built_template, capsys
):
    folder = tmp_path / "banyak"
    folder.mkdir()
    first = workbook(built_template, folder / "iku1_00.xlsm", 1)
    for copy in range(1, 20):
        shutil.copy(first, folder / f"iku1_{copy:02}.xlsm")
    _code, out, _ = run(
        capsys, "konsolidasi", folder, "-o", tmp_path / "r.xlsx", "--json"
    )
    result = json.loads(out)
    assert len(result["sumber"]) == 20
    assert result["rekap_iku"][0]["Pembilang"] == 373
    assert sum("sama persis" in r["Pesan"] for r in result["masalah"]) == 19


def test_rekap_inside_the_input_folder_is_not_read_as_an_input(mailbox, capsys):
    rekap = mailbox / "rekap.xlsx"
    run(capsys, "konsolidasi", mailbox, "-o", rekap)
    _code, out, _ = run(capsys, "konsolidasi", mailbox, "-o", rekap, "--json")
    assert "rekap.xlsx" not in {r["Berkas"] for r in json.loads(out)["sumber"]}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["konsolidasi", "tidak-ada", "-o", "r.xlsx"], "Tidak ditemukan"),
        (["konsolidasi", ".", "-o", "r.xlsm"], "harus berakhiran .xlsx"),
        (["konsolidasi", ".", "-o", "r.xlsx", "--periode", "TW 5"], "tidak dikenal"),
        (["konsolidasi", "."], "'-o/--keluaran' belum diberikan"),
    ],
)
def test_unusable_invocation_exits_2(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in out + err


def test_a_failed_rekap_write_leaves_no_partial_file(
    mailbox, tmp_path, monkeypatch, capsys
):
    import iku_xl.rekap

    def broken(path, *args):
        path.write_bytes(b"PK half")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(iku_xl.rekap, "_write", broken)
    code, _, err = run(capsys, "konsolidasi", mailbox, "-o", tmp_path / "r.xlsx")
    assert code == 2 and "disk penuh" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kotak_masuk"]


def test_workbooks_not_ours_or_of_another_version_are_listed(
    tmp_path, built_template, capsys
):
    folder = tmp_path / "campuran"
    folder.mkdir()
    workbook(built_template, folder / "benar.xlsm", 1)
    openpyxl.Workbook().save(folder / "daftar_hadir.xlsx")
    old = workbook(built_template, folder / "versi_lama.xlsm", 2)
    book = openpyxl.load_workbook(old, keep_vba=True)
    book["Manifest"]["B1"] = "0"  # template_version
    book.save(old)
    code, out, _ = run(
        capsys, "konsolidasi", folder, "-o", tmp_path / "r.xlsx", "--json"
    )
    sources = {r["Berkas"]: r for r in json.loads(out)["sumber"]}
    assert "bukan template iku-xl" in sources["daftar_hadir.xlsx"]["Alasan"]
    assert "versi '0'" in sources["versi_lama.xlsm"]["Alasan"]
    assert sources["benar.xlsm"]["Status"] == "Dipakai"
    assert code == 1


def test_lock_files_and_the_konsolidasi_workbook_are_ignored(
    tmp_path, built_template, capsys, complete
):
    from iku_xl.catalogue import load_catalogue as catalogue_of
    from iku_xl.konsolidasi_template import build_consolidation_workbook

    folder = complete
    (folder / "~$iku1.xlsm").write_bytes(b"\x05Siti" + b"\x00" * 60)
    build_consolidation_workbook(catalogue_of(), folder / "konsolidasi.xlsm")
    code, out, _ = run(
        capsys, "konsolidasi", folder, "-o", tmp_path / "r.xlsx", "--json"
    )
    sources = {r["Berkas"]: r["Status"] for r in json.loads(out)["sumber"]}
    assert sources["~$iku1.xlsm"] == "Diabaikan"
    assert sources["konsolidasi.xlsm"] == "Diabaikan"
    assert code == 0


def test_blank_rows_do_not_make_equal_numbers_a_conflict(
    tmp_path, built_template, capsys
):
    folder = tmp_path / "sama"
    folder.mkdir()
    first = workbook(built_template, folder / "a.xlsm", 1)
    book = openpyxl.load_workbook(first, keep_vba=True)
    sheet = book["IKU 1 Rehabilitasi Sosial"]
    table = sheet.tables["Tabel_IKU1"]
    table.ref = "A16:D21"  # the table grew by a row nobody filled in
    book.save(folder / "b.xlsm")
    _code, out, _ = run(
        capsys, "konsolidasi", folder, "-o", tmp_path / "r.xlsx", "--json"
    )
    row = json.loads(out)["rekap_iku"][0]
    assert row["Status"] == "Valid" and row["Pembilang"] == 373


def test_take_latest_reads_dates_typed_as_text(tmp_path, built_template, capsys):
    folder = tmp_path / "tanggal"
    folder.mkdir()
    workbook(built_template, folder / "lama.xlsm", 4, date="10/01/2021")
    workbook(
        built_template,
        folder / "baru.xlsm",
        4,
        date="09/02/2021",
        rows=[(160, 250), (80, 150), (20, 40), (12, 15)],
    )
    _code, out, _ = run(
        capsys,
        "konsolidasi",
        folder,
        "-o",
        tmp_path / "r.xlsx",
        "--json",
        "--ambil-terbaru",
    )
    rows = {r["IKU"]: r for r in json.loads(out)["rekap_iku"]}
    assert rows[4]["Berkas"] == "baru.xlsm"


def test_period_option_ignores_case_and_spacing(tmp_path, built_template, capsys):
    folder = tmp_path / "periode"
    folder.mkdir()
    workbook(built_template, folder / "a.xlsm", 1, period="TW II")
    _code, out, _ = run(
        capsys,
        "konsolidasi",
        folder,
        "-o",
        tmp_path / "r.xlsx",
        "--json",
        "--periode",
        "tw  ii",
    )
    assert json.loads(out)["periode"] == "TW II"


def test_rekap_is_never_written_over_a_submission(tmp_path, built_template, capsys):
    folder = tmp_path / "masuk"
    folder.mkdir()
    first = workbook(built_template, folder / "bidang1.xlsm", 1)
    workbook(built_template, folder / "bidang2.xlsm", 2)
    before = hashlib.sha256(first.read_bytes()).hexdigest()
    target = folder / "bidang1.xlsx"
    first_copy = target.write_bytes(first.read_bytes())
    code, _, err = run(capsys, "konsolidasi", folder, "-o", target)
    assert code == 2 and "bukan Rekap iku-xl" in err
    assert hashlib.sha256(first.read_bytes()).hexdigest() == before
    assert target.stat().st_size == first_copy


def test_a_previous_rekap_in_the_folder_is_ignored(
    tmp_path, built_template, capsys, complete
):
    folder = complete
    run(capsys, "konsolidasi", folder, "-o", folder / "rekap_lama.xlsx")
    code, out, _ = run(
        capsys, "konsolidasi", folder, "-o", tmp_path / "baru.xlsx", "--json"
    )
    sources = {r["Berkas"]: r["Status"] for r in json.loads(out)["sumber"]}
    assert sources["rekap_lama.xlsx"] == "Diabaikan" and code == 0


def test_same_names_in_two_subfolders_are_told_apart(tmp_path, built_template, capsys):
    folder = tmp_path / "masuk"
    (folder / "a").mkdir(parents=True)
    (folder / "b").mkdir()
    workbook(built_template, folder / "a" / "bidang2.xlsm", 2)
    workbook(built_template, folder / "b" / "bidang2.xlsm", 2, rows=[(1, 2)] * 4)
    _code, out, _ = run(
        capsys, "konsolidasi", folder, "-o", tmp_path / "r.xlsx", "--json"
    )
    result = json.loads(out)
    assert {r["Berkas"] for r in result["sumber"]} == {
        "a/bidang2.xlsm",
        "b/bidang2.xlsm",
    }
    assert isinstance(result["rekap_iku"][0]["IKU"], int)


def test_a_pipe_in_the_folder_neither_hangs_nor_counts(
    tmp_path, built_template, capsys, complete
):
    import os

    folder = complete
    os.mkfifo(folder / "pipa.xlsm")
    code, out, _ = run(
        capsys, "konsolidasi", folder, "-o", tmp_path / "r.xlsx", "--json"
    )
    sources = {r["Berkas"]: r for r in json.loads(out)["sumber"]}
    assert sources["pipa.xlsm"]["Status"] == "Diabaikan" and code == 0


def test_errors_in_files_outside_the_rekap_still_make_exit_1(
    tmp_path, built_template, capsys, complete
):
    folder = complete
    workbook(built_template, folder / "salah.xlsm", 1, period="Semester 1")
    code, _, _ = run(capsys, "konsolidasi", folder, "-o", tmp_path / "r.xlsx")
    assert code == 1


def test_a_year_other_than_the_catalogue_is_refused(tmp_path, built_template, capsys):
    folder = tmp_path / "masuk"
    folder.mkdir()
    workbook(built_template, folder / "a.xlsm", 1)
    code, _, err = run(
        capsys, "konsolidasi", folder, "-o", tmp_path / "r.xlsx", "--tahun", "2021"
    )
    assert code == 2 and "katalog tahun 2020" in err
