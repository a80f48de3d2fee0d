"""LibreOffice as an independent reader of the committed template and of a computed
workbook: the buttons and the macro they run, the VBA modules, names, tables, list
validation, the Rekap IKU values, and a PDF of the Rekap IKU sheet.

tests/lo_inspect.py does the reading under Debian's system interpreter (python3-uno is
not in the virtual environment); it runs once per workbook. The tests are skipped when
LibreOffice or python3-uno is missing, unless IKU_XL_REQUIRE_LIBREOFFICE=1 requires
them.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import xlwings

from iku_xl.contract import (
    MANIFEST_NAME,
    MANIFEST_SHEET,
    SUMMARY_COLUMNS,
    SUMMARY_SHEET,
    SUMMARY_TABLE_NAME,
    Field,
    name_of,
    table_of,
)
from iku_xl.engine import PERIODS
from iku_xl.outputs import summary_row
from iku_xl.sample import fill_sample
from iku_xl.template import sheet_names
from iku_xl.workbook_file import hitung_file

pytestmark = pytest.mark.libreoffice

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "workbook_template.xlsm"
INSPECT_SCRIPT = Path(__file__).resolve().with_name("lo_inspect.py")
SYSTEM_PYTHON = Path("/usr/bin/python3")
SOFFICE = Path("/usr/bin/soffice")
REQUIRE_VARIABLE = "IKU_XL_REQUIRE_LIBREOFFICE"

INSPECT_TIMEOUT = 90  # seconds lo_inspect.py allows soffice, start-up included
# The script ends soffice itself; this is only the backstop should the script hang.
SUBPROCESS_TIMEOUT = INSPECT_TIMEOUT + 30
MIN_PDF_BYTES = 5_000

# How LibreOffice 7.4 reports the macro an imported Excel Form Control button runs.
MACRO_URL = (
    "vnd.sun.star.script:VBAProject.IkuXl.HitungIKU?language=Basic&location=document"
)
IKU1_NUMERATOR, IKU1_DENOMINATOR = 373, 460  # the sample's IKU 1 rows, summed by hand
IKU1_REALISATION = 0.81087  # 373 / 460, rounded by hand

# $'IKU 1 Rehabilitasi Sosial'.$B$14 or $Manifest.$A$1:$B$6: the sheet of a reference.
_SHEET_OF_REFERENCE = re.compile(r"^\$?(?:'((?:[^']|'')*)'|([^.']+))\.")
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


@functools.cache
def _libreoffice_missing() -> str | None:
    """Why LibreOffice cannot be used here, or None when it can."""
    if not SOFFICE.exists():
        return f"{SOFFICE} not found (Debian package libreoffice-calc-nogui)"
    if not SYSTEM_PYTHON.exists():
        return f"{SYSTEM_PYTHON} not found"
    probe = subprocess.run(
        [str(SYSTEM_PYTHON), "-c", "import uno"],
        env=_system_env(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    if probe.returncode != 0:
        return f"{SYSTEM_PYTHON} cannot import uno (Debian package python3-uno)"
    return None


def _system_env() -> dict[str, str]:
    """The environment for Debian's interpreter, without this venv's Python settings."""
    return {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONHOME", "PYTHONPATH", "VIRTUAL_ENV")
    }


def _require_libreoffice() -> None:
    """Skip the calling test when LibreOffice is missing; fail it if it is required."""
    reason = _libreoffice_missing()
    if reason is None:
        return
    if os.environ.get(REQUIRE_VARIABLE) == "1":
        pytest.fail(f"{reason}, but {REQUIRE_VARIABLE}=1 requires LibreOffice")
    pytest.skip(f"{reason}; set {REQUIRE_VARIABLE}=1 to make this a failure")


def _inspect(workbook: Path, pdf: Path) -> dict:
    """Run lo_inspect.py on ``workbook``; its JSON report."""
    _require_libreoffice()
    command = [
        str(SYSTEM_PYTHON),
        str(INSPECT_SCRIPT),
        str(workbook),
        str(pdf),
        "--timeout",
        str(INSPECT_TIMEOUT),
    ]
    done = subprocess.run(
        command,
        env=_system_env(),
        capture_output=True,
        text=True,
        timeout=SUBPROCESS_TIMEOUT,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"lo_inspect.py exited {done.returncode} on {workbook.name}:\n{done.stderr}"
        )
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def template_report(tmp_path_factory) -> dict:
    """LibreOffice's view of the committed template."""
    folder = tmp_path_factory.mktemp("lo_template")
    return _inspect(TEMPLATE, folder / "rekap.pdf")


@pytest.fixture(scope="module")
def computed(tmp_path_factory):
    """The sample filled into the template and computed by hitung_file: the Outcome and
    LibreOffice's view of the result."""
    folder = tmp_path_factory.mktemp("lo_computed")
    sample = fill_sample(TEMPLATE, folder / "sample.xlsm")
    outcome = hitung_file(sample, folder / "computed.xlsm")
    return outcome, _inspect(folder / "computed.xlsm", folder / "rekap.pdf")


@pytest.fixture(scope="module", params=["template", "computed"])
def report(request) -> dict:
    """Each workbook in turn: what holds for the template must survive Hitung."""
    if request.param == "template":
        return request.getfixturevalue("template_report")
    return request.getfixturevalue("computed")[1]


def _sheets(report: dict) -> dict[str, dict]:
    return {sheet["name"]: sheet for sheet in report["sheets"]}


def _sheet_of(reference: str) -> str:
    match = _SHEET_OF_REFERENCE.match(reference)
    assert match, f"not a sheet reference: {reference!r}"
    quoted, plain = match.groups()
    return quoted.replace("''", "'") if quoted is not None else plain


def _cells(reference: str) -> str:
    """The sheet-and-cells part of a reference without '$': 'IKU 1 X'.B5."""
    return reference.replace("$", "")


def test_libreoffice_and_python3_uno_are_available_when_required():
    _require_libreoffice()


def test_sheets_are_in_template_order(report, catalogue):
    assert [sheet["name"] for sheet in report["sheets"]] == sheet_names(catalogue)


def test_only_config_and_manifest_sheets_are_hidden(report):
    hidden = [sheet["name"] for sheet in report["sheets"] if not sheet["visible"]]
    assert hidden == ["xlwings.conf", "Manifest"]


def test_every_bidang_sheet_has_one_hitung_button_bound_to_macro(report, catalogue):
    sheets = _sheets(report)
    for indicator in catalogue.indicators:
        buttons = sheets[indicator.sheet]["buttons"]
        assert [(b["caption"], b["macro"]) for b in buttons] == [
            ("Hitung IKU", MACRO_URL)
        ], indicator.sheet


def test_hitung_button_runs_only_the_macro_on_click(report, catalogue):
    sheets = _sheets(report)
    for indicator in catalogue.indicators:
        (button,) = sheets[indicator.sheet]["buttons"]
        assert button["events"] == [
            {
                "listener": "XActionListener",
                "method": "actionPerformed",
                "type": "Script",
                "script": MACRO_URL,
            }
        ], indicator.sheet


def test_sheets_other_than_bidang_have_no_button(report, catalogue):
    bidang = {indicator.sheet for indicator in catalogue.indicators}
    with_buttons = {s["name"] for s in report["sheets"] if s["buttons"]}
    assert with_buttons == bidang


def test_ikuxl_module_hands_the_click_over_to_python(report):
    source = report["modules"]["IkuXl"]
    assert "Public Sub HitungIKU()" in source
    assert 'RunPython "import iku_xl.excel; iku_xl.excel.hitung()"' in source


def test_xlwings_module_is_the_installed_xlwings_release(report):
    assert "VBAProject" in report["basic_libraries"]
    source = report["modules"]["xlwings"]
    assert f"'Version: {xlwings.__version__}\n" in source
    assert "Function RunPython(" in source


def test_contract_names_point_at_their_sheets(report, catalogue):
    names = report["names"]
    for indicator in catalogue.indicators:
        for field in Field:
            name = name_of(indicator.number, field)
            assert _sheet_of(names[name]) == indicator.sheet, name
    assert _sheet_of(names[SUMMARY_TABLE_NAME]) == SUMMARY_SHEET
    assert _sheet_of(names[MANIFEST_NAME]) == MANIFEST_SHEET


def test_input_tables_are_database_ranges_with_a_row_per_component(report, catalogue):
    tables = report["database_ranges"]
    assert set(tables) == {table_of(i.number) for i in catalogue.indicators}
    for indicator in catalogue.indicators:
        table = tables[table_of(indicator.number)]
        assert table["sheet"] == indicator.sheet
        assert table["contains_header"] is True
        assert (table["rows"], table["columns"]) == (len(indicator.components) + 1, 4)


def test_period_cell_offers_the_periods_as_a_list(report, catalogue):
    offered = ";".join(f'"{period}"' for period in PERIODS)
    for indicator in catalogue.indicators:
        cell = _cells(report["names"][name_of(indicator.number, Field.PERIOD)])
        found = [v for v in report["validations"] if v["ranges"] == cell]
        assert len(found) == 1, cell
        assert (found[0]["type"], found[0]["formula1"]) == ("LIST", offered)


def test_template_rekap_table_is_empty_before_hitung(template_report, catalogue):
    values = template_report["summary_table"]["values"]
    assert len(values) == len(catalogue.indicators)
    assert all(cell == "" for row in values for cell in row)


def test_rekap_table_shows_what_hitung_file_computed(computed):
    outcome, report = computed
    values = report["summary_table"]["values"]
    assert len(values) == len(outcome.results)
    for shown, result in zip(values, outcome.results, strict=True):
        # LibreOffice reports an empty cell as "" and every number as a float.
        expected = ["" if value is None else value for value in summary_row(result)]
        assert shown == pytest.approx(expected), result.indicator.sheet


def test_rekap_shows_iku1_realisation_of_373_over_460(computed):
    iku1 = dict(
        zip(SUMMARY_COLUMNS, computed[1]["summary_table"]["values"][0], strict=True)
    )
    assert (iku1["IKU"], iku1["Pembilang"], iku1["Penyebut"]) == (
        1,
        IKU1_NUMERATOR,
        IKU1_DENOMINATOR,
    )
    assert iku1["Realisasi"] == pytest.approx(IKU1_REALISATION, abs=5e-6)
    assert iku1["Realisasi"] == pytest.approx(IKU1_NUMERATOR / IKU1_DENOMINATOR)


def test_rekap_sheet_exports_to_a_one_page_pdf(report):
    assert report["pdf"]["sheet"] == SUMMARY_SHEET
    pdf = Path(report["pdf"]["path"]).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > MIN_PDF_BYTES
    # The whole workbook would print several pages; the Rekap IKU sheet alone fits one.
    assert len(_PDF_PAGE.findall(pdf)) == 1


@pytest.fixture(scope="module")
def consolidated(tmp_path_factory, catalogue):
    """A Rekap consolidated from the computed sample, and LibreOffice's view of it."""
    from iku_xl.konsolidasi import run_consolidation

    folder = tmp_path_factory.mktemp("lo_rekap")
    inbox = folder / "masuk"
    inbox.mkdir()
    hitung_file(fill_sample(TEMPLATE, inbox / "semua_bidang.xlsm"))
    rekap = folder / "rekap.xlsx"
    result = run_consolidation([inbox], rekap, catalogue)
    return result, _inspect(rekap, folder / "rekap.pdf"), folder / "rekap.pdf"


def test_consolidated_rekap_opens_with_its_names_and_exports_to_pdf(consolidated):
    result, report, pdf = consolidated
    sheets = [sheet["name"] for sheet in report["sheets"]]
    assert sheets[0] == SUMMARY_SHEET and "Sumber" in sheets and "Masalah" in sheets
    assert _cells(report["names"][name_of(1, Field.REALISATION)]) == "'Rekap IKU'.H5"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert result.entries[0].chosen.result.numerator == IKU1_NUMERATOR
