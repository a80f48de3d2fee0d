"""iku-xl: IKU workbooks for Dinas Sosial Kabupaten Malang.

The engine (``evaluate``) validates and computes one IKU from plain inputs; the workbook
contract (``iku_xl.contract``) reads and writes those inputs through defined names and
tables; ``hitung_file`` runs it on a file on disk and ``iku_xl.excel.hitung`` from the
template's Hitung IKU button.
"""

from iku_xl.catalogue import Catalogue, Component, Indicator, Scale, load_catalogue
from iku_xl.engine import IndicatorInput, IndicatorResult, Status, evaluate
from iku_xl.errors import CatalogueError, IkuXlError, OutputError, WorkbookError
from iku_xl.findings import Finding, Rule, Severity

__version__ = "0.1.0"

__all__ = [
    "Catalogue",
    "CatalogueError",
    "Component",
    "Finding",
    "IkuXlError",
    "Indicator",
    "IndicatorInput",
    "IndicatorResult",
    "OutputError",
    "Rule",
    "Scale",
    "Severity",
    "Status",
    "WorkbookError",
    "build_template",
    "evaluate",
    "hitung_file",
    "load_catalogue",
]

# The Hitung IKU button imports this package on every click: what needs openpyxl,
# XlsxWriter or pyopenvba is imported only when asked for.
_LAZY = {"build_template": "iku_xl.template", "hitung_file": "iku_xl.workbook_file"}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'iku_xl' has no attribute {name!r}")
