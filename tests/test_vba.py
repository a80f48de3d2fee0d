"""The VBA project of the committed template, read back by olevba (oletools) and
pyopenvba: the modules and their source, the _VBA_PROJECT stream, the file's
integrity."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import pyopenvba
import pytest
from pyopenvba.cfb import CFB

from iku_xl.vba import xlwings_module_source

with warnings.catch_warnings():
    # oletools 0.60 calls pyparsing's pre-3.0 names while it is imported.
    warnings.simplefilter("ignore", DeprecationWarning)
    from oletools.olevba import VBA_Parser

TEMPLATE = Path(__file__).resolve().parent.parent / "workbook_template.xlsm"
VBA_PART = "xl/vbaProject.bin"
# [MS-OVBA] 2.3.4.1 as a writer emits it, and as Excel-authored xlwings files carry it.
VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000100")


@pytest.fixture(scope="module")
def olevba_modules() -> dict[str, str]:
    """Module name to source text, as olevba extracts them from the template."""
    parser = VBA_Parser(str(TEMPLATE))
    try:
        return {
            Path(vba_filename).stem: code
            for _, _, vba_filename, code in parser.extract_macros()
        }
    finally:
        parser.close()


def test_olevba_finds_ikuxl_and_xlwings_modules_in_template(olevba_modules):
    assert {"IkuXl", "xlwings"} <= set(olevba_modules)


def test_ikuxl_module_runs_the_hitung_entry_point_through_runpython(olevba_modules):
    source = olevba_modules["IkuXl"]
    assert 'RunPython "import iku_xl.excel; iku_xl.excel.hitung()"' in source
    assert "Public Sub HitungIKU()" in source


def test_embedded_xlwings_module_equals_installed_xlwings_source(olevba_modules):
    assert olevba_modules["xlwings"] == xlwings_module_source()


def test_vba_project_stream_is_the_seven_byte_writer_form():
    with zipfile.ZipFile(TEMPLATE) as package:
        cfb = CFB.from_bytes(package.read(VBA_PART))
    assert cfb.get_stream_in_storage("VBA", "_VBA_PROJECT") == VBA_PROJECT_STREAM


def test_pyopenvba_finds_no_errors_in_template():
    report = pyopenvba.check_file(TEMPLATE)
    assert report.errors == ()
    assert report.complete
