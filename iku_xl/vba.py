"""The template's VBA project: xlwings' own VBA module and the Sub behind Hitung IKU.

The project is made with pyopenvba on a skeleton workbook that has the template's sheets
(so the document modules ThisWorkbook and Sheet1..N match), then embedded by XlsxWriter.
See docs/platform.md in shared/ for why the _VBA_PROJECT stream is rewritten.
"""

from __future__ import annotations

import importlib.util
import tempfile
import zipfile
from pathlib import Path

import xlsxwriter
from pyopenvba import ExcelFile
from pyopenvba.cfb import CFB
from pyopenvba.vba import VBAModuleKind

MODULE_NAME = "IkuXl"
MACRO_NAME = "HitungIKU"
PYTHON_ENTRY = "import iku_xl.excel; iku_xl.excel.hitung()"
CONSOLIDATION_MACRO = "KonsolidasiIKU"
CONSOLIDATION_ENTRY = "import iku_xl.excel; iku_xl.excel.konsolidasi()"
XLWINGS_MODULE = "xlwings"
XLWINGS_CLASSES = ("Dictionary",)

# [MS-OVBA] 2.3.4.1: what a writer emits for _VBA_PROJECT: reserved 0x61CC, version
# 0xFFFF, reserved 0x00, reserved 0x0000, and no performance cache.
VBA_PROJECT_STREAM = bytes.fromhex("CC61FFFF000100")


def module_source(macro: str = MACRO_NAME, entry: str = PYTHON_ENTRY) -> str:
    """Our standard module: the Sub ``macro`` the button runs, which hands over to
    Python with ``entry``.

    Sheets are protected without a password; the Sub lifts protection while Python
    writes outputs and puts it back afterwards, even when Python fails.
    """
    lines = [
        f'Attribute VB_Name = "{MODULE_NAME}"',
        "Option Explicit",
        "",
        "' Dipanggil oleh tombol; perhitungannya dikerjakan Python (paket iku-xl).",
        f"Public Sub {macro}()",
        "    SetProtection False",
        "    On Error GoTo Finish",
        f'    RunPython "{entry}"',
        "Finish:",
        "    SetProtection True",
        "End Sub",
        "",
        "Private Sub SetProtection(ByVal Protect As Boolean)",
        "    Dim Sheet As Worksheet",
        "    For Each Sheet In ThisWorkbook.Worksheets",
        "        If Sheet.Visible = xlSheetVisible Then",
        "            If Protect Then",
        "                Sheet.Protect DrawingObjects:=True, Contents:=True, "
        "Scenarios:=True",
        "            Else",
        "                Sheet.Unprotect",
        "            End If",
        "        End If",
        "    Next Sheet",
        "End Sub",
    ]
    return "\r\n".join(lines) + "\r\n"


def build_vba_project(sheet_names: list[str], module: str | None = None) -> bytes:
    """The vbaProject.bin for a workbook whose sheets are ``sheet_names``, in order,
    with our standard module ``module`` (default: the Hitung IKU one)."""
    with tempfile.TemporaryDirectory() as folder:
        skeleton = Path(folder) / "skeleton.xlsm"
        workbook = xlsxwriter.Workbook(str(skeleton))
        for name in sheet_names:
            workbook.add_worksheet(name)
        workbook.close()

        with ExcelFile(skeleton) as excel:
            project = excel.add_vba_project()
            project.add_module(XLWINGS_MODULE, xlwings_module_source())
            for name in XLWINGS_CLASSES:
                project.add_module(name, class_source(name), kind=VBAModuleKind.other)
            project.add_module(MODULE_NAME, module or module_source())
            excel.save()

        with zipfile.ZipFile(skeleton) as package:
            cfb = CFB.from_bytes(package.read("xl/vbaProject.bin"))
    cfb.write_stream_in_storage("VBA", "_VBA_PROJECT", VBA_PROJECT_STREAM)
    return cfb.to_bytes()


def class_source(name: str) -> str:
    """One of xlwings' VBA class modules, as shipped with the installed xlwings."""
    return _crlf(_xlwings_file(f"addin/{name}.cls"))


def xlwings_module_source() -> str:
    """xlwings' VBA module as shipped with the installed (pinned) xlwings."""
    return _crlf(_xlwings_file("xlwings.bas"))


def _xlwings_file(relative: str) -> str:
    # Found without importing xlwings, which pulls in pandas: consolidation's worker
    # processes need only these files.
    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("xlwings is not installed")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return (folder / relative).read_text(encoding="utf-8")


def _crlf(text: str) -> str:
    return "\r\n".join(text.splitlines()) + "\r\n"
