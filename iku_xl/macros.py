"""Fingerprints of a workbook's macros, compared with the official template's.

Consolidation never runs or needs macros, but a workbook whose VBA differs from the
template's, that carries Excel 4.0 (XLM) macro sheets, or names that run code on
opening (Auto_Open and the like) deserves a warning and may be set aside. Its data is
still read.
"""

from __future__ import annotations

import hashlib
import re
import zipfile
from dataclasses import dataclass
from functools import cache, lru_cache
from xml.etree.ElementTree import Element

from pyopenvba.cfb import CFB
from pyopenvba.exceptions import PyOpenVBAError
from pyopenvba.vba import normalize_class_source, parse_vba_project

from iku_xl.vba import (
    MODULE_NAME,
    XLWINGS_CLASSES,
    XLWINGS_MODULE,
    class_source,
    module_source,
    xlwings_module_source,
)

VBA_PART = "xl/vbaProject.bin"
MACRO_SHEET_FOLDER = "xl/macrosheets/"
_AUTO_NAMES = re.compile(r"^(_xlnm\.)?auto_(open|close|activate|deactivate)", re.I)
_NAME_ELEMENT = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}definedName"


@dataclass(frozen=True)
class MacroReport:
    """What a workbook's macros are: a fingerprint (None: no VBA project) and, when
    they are suspicious, why."""

    fingerprint: str | None
    reasons: tuple[str, ...] = ()

    @property
    def suspicious(self) -> bool:
        return bool(self.reasons)

    def label(self) -> str:
        """One word or phrase for the Sumber sheet."""
        if self.suspicious:
            return "mencurigakan: " + "; ".join(self.reasons)
        return "tidak ada" if self.fingerprint is None else "resmi"


def inspect_macros(package: zipfile.ZipFile, workbook: Element) -> MacroReport:
    """Fingerprint the macros of an open workbook package and flag what is suspicious.

    ``workbook`` is its parsed xl/workbook.xml (for names that run code on opening).
    """
    names = set(package.namelist())
    reasons = []
    if any(name.startswith(MACRO_SHEET_FOLDER) for name in names):
        reasons.append("berisi lembar makro Excel 4.0 (XLM)")
    reasons += [
        f"nama '{name}' menjalankan makro saat dibuka" for name in _auto_names(workbook)
    ]
    if VBA_PART not in names:
        return MacroReport(None, tuple(reasons))
    fingerprint, differences = _project(package.read(VBA_PART))
    return MacroReport(fingerprint, (*reasons, *differences))


@cache
def _official() -> dict[str, str]:
    # The official template's modules (name to normalised code), from the sources the
    # builder uses; its document modules hold no code.
    sources = {XLWINGS_MODULE: xlwings_module_source(), MODULE_NAME: module_source()}
    sources |= {
        name: normalize_class_source(class_source(name)) for name in XLWINGS_CLASSES
    }
    return {name: _normalised(code) for name, code in sources.items()}


@lru_cache(maxsize=64)
def _project(project: bytes) -> tuple[str, tuple[str, ...]]:
    # Workbooks from one template carry byte-identical projects until Excel saves them
    # again, so most files of a consolidation are parsed once per worker.
    try:
        modules = _modules(project)
    except (PyOpenVBAError, ValueError, KeyError, IndexError, EOFError) as err:
        return hashlib.sha256(project).hexdigest(), (
            f"proyek VBA tidak dapat dibaca ({type(err).__name__})",
        )
    return _fingerprint(modules), tuple(_differences(modules, _official()))


def _modules(project: bytes) -> dict[str, str]:
    """Module name to normalised code, for the modules that hold code."""
    parsed = parse_vba_project(CFB.from_bytes(project))
    found = {}
    for module in parsed.modules:
        code = _normalised(module.source)
        if code:
            found[module.name] = code
    return found


def _normalised(source: str) -> str:
    # What Excel may change on a re-save is left out: attribute lines, line endings,
    # trailing spaces, and the casing of identifiers (VBA ignores case).
    lines = [
        line.rstrip()
        for line in source.splitlines()
        if not line.lstrip().startswith("Attribute VB_")
    ]
    return "\n".join(line for line in lines if line).casefold()


def _fingerprint(modules: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name, code in sorted((n.casefold(), c) for n, c in modules.items()):
        digest.update(f"{name}\n{code}\n".encode())
    return digest.hexdigest()


def _differences(modules: dict[str, str], expected: dict[str, str]) -> list[str]:
    # VBA ignores case in names: compare by casefolded name, report as written.
    found = {name.casefold(): (name, code) for name, code in modules.items()}
    wanted = {name.casefold(): (name, code) for name, code in expected.items()}
    reasons = [
        f"modul '{found[key][0]}' tidak ada di template resmi"
        for key in sorted(found.keys() - wanted.keys())
    ]
    reasons += [
        f"kode modul '{found[key][0]}' berbeda dari template resmi"
        for key in sorted(found.keys() & wanted.keys())
        if found[key][1] != wanted[key][1]
    ]
    reasons += [
        f"modul '{wanted[key][0]}' dari template resmi hilang"
        for key in sorted(wanted.keys() - found.keys())
    ]
    return reasons


def _auto_names(workbook: Element) -> list[str]:
    return [
        element.get("name", "")
        for element in workbook.iter(_NAME_ELEMENT)
        if _AUTO_NAMES.match(element.get("name", ""))
    ]
