"""Inspect a workbook with LibreOffice headless, a reader independent of our own code.

Run with Debian's system interpreter, which has python3-uno (a virtual environment does
not)::

    /usr/bin/python3 tests/lo_inspect.py WORKBOOK PDF_OUT [--timeout SECONDS]

It starts its own soffice (a fresh profile directory, a named pipe, no network), loads
the workbook without running any macro, prints one JSON object on stdout and exports the
"Rekap IKU" sheet alone to PDF_OUT. The JSON object holds:

- ``sheets``: in order, each with ``name``, ``visible`` and ``buttons`` (every form
  command button: ``name``, ``caption``, ``macro``, the script URL of its
  actionPerformed event, and ``events``, all script events bound to it);
- ``basic_libraries``: the document's Basic library names; ``modules``: module name to
  source text of the library "VBAProject", as LibreOffice imported the VBA project;
- ``names``: defined name to its content (LibreOffice's notation, ``$'Sheet'.$B$4``);
- ``database_ranges``: name to ``sheet``, ``address``, ``rows``, ``columns`` and
  ``contains_header`` (LibreOffice imports Excel tables as database ranges);
- ``validations``: every cell validation other than "any value": ``sheet``, ``ranges``,
  ``type``, ``operator``, ``formula1``, ``formula2``, ``show_list``, ``error_message``;
- ``summary_table``: ``address`` and ``values`` of the named range Rekap_Tabel after
  ``calculateAll()`` (a number is a float, text and an empty cell are strings);
- ``pdf``: the path written and the sheet it shows.

Exit status: 0 on success, 2 when the workbook cannot be inspected, 3 on time-out.
soffice is always ended, and its profile directory removed.

This script cannot import iku_xl (the system interpreter lacks its dependencies), so the
few workbook names it needs are spelled out below.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException

SOFFICE = "/usr/bin/soffice"
SUMMARY_SHEET = "Rekap IKU"
SUMMARY_TABLE_NAME = "Rekap_Tabel"
VBA_LIBRARY = "VBAProject"

DEFAULT_TIMEOUT = 90.0  # seconds for the whole inspection, start-up included
SHUTDOWN_GRACE = 10.0  # seconds soffice gets to quit before it is killed
CONNECT_POLL = 0.2  # seconds between attempts to reach a starting soffice

EXIT_OK = 0
EXIT_FAILED = 2
EXIT_TIMEOUT = 3

# UNO constants, by their IDL names.
NEVER_EXECUTE = uno.getConstantByName(
    "com.sun.star.document.MacroExecMode.NEVER_EXECUTE"
)
NO_UPDATE = uno.getConstantByName("com.sun.star.document.UpdateDocMode.NO_UPDATE")
COMMAND_BUTTON = uno.getConstantByName(
    "com.sun.star.form.FormComponentType.COMMANDBUTTON"
)
FORM_SERVICE = "com.sun.star.form.component.Form"


class InspectionError(Exception):
    """soffice could not be started, reached or made to load the workbook."""


def main(argv: list[str] | None = None) -> int:
    """Inspect the workbook named on the command line; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workbook", type=Path)
    parser.add_argument("pdf_out", type=Path)
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT)
    args = parser.parse_args(argv)
    if not args.workbook.is_file():
        print(f"lo_inspect: no such workbook: {args.workbook}", file=sys.stderr)
        return EXIT_FAILED

    office = Office(args.timeout)
    try:
        with office:
            document = office.load(args.workbook)
            try:
                report = describe(document)
                export_sheet_pdf(document, SUMMARY_SHEET, args.pdf_out)
            finally:
                document.close(True)
    except Exception as err:
        # Once the watchdog has killed soffice, whatever was pending fails; that failure
        # is the time-out, not a finding about the workbook.
        if office.timed_out.is_set():
            return EXIT_TIMEOUT
        if isinstance(err, InspectionError):
            print(f"lo_inspect: {err}", file=sys.stderr)
            return EXIT_FAILED
        raise
    report["pdf"] = {"path": str(args.pdf_out), "sheet": SUMMARY_SHEET}
    print(json.dumps(report, ensure_ascii=False))
    return EXIT_OK


class Office:
    """A private headless soffice for the lifetime of a ``with`` block.

    A watchdog thread ends soffice when the time is up, and the whole script shortly
    after if the main thread is still stuck in a UNO call.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.profile = Path(tempfile.mkdtemp(prefix="iku-xl-lo-profile-"))
        self.pipe = f"iku_xl_lo_{uuid.uuid4().hex}"
        self.process: subprocess.Popen | None = None
        self.desktop = None
        self.timed_out = threading.Event()
        self._finished = threading.Event()

    def __enter__(self) -> Office:
        threading.Thread(target=self._watchdog, daemon=True).start()
        try:
            self._start()
            self.desktop = self._connect()
        except BaseException:
            self._stop()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop()

    def load(self, path: Path):
        """Load ``path`` hidden and read-only, with macros never run."""
        url = uno.systemPathToFileUrl(str(path.resolve()))
        options = _properties(
            Hidden=True,
            ReadOnly=True,
            MacroExecutionMode=NEVER_EXECUTE,
            UpdateDocMode=NO_UPDATE,
        )
        try:
            document = self.desktop.loadComponentFromURL(url, "_blank", 0, options)
        except Exception as err:  # UNO raises IllegalArgumentException, IOException ...
            raise InspectionError(f"soffice could not load {path}: {err}") from err
        if document is None:
            raise InspectionError(f"soffice could not load {path}")
        if not document.supportsService("com.sun.star.sheet.SpreadsheetDocument"):
            document.close(True)
            raise InspectionError(f"soffice did not open {path} as a spreadsheet")
        return document

    def _start(self) -> None:
        command = [
            SOFFICE,
            "--headless",
            "--invisible",
            "--nologo",
            "--norestore",
            "--nodefault",
            "--nolockcheck",
            f"-env:UserInstallation={self.profile.as_uri()}",
            f"--accept=pipe,name={self.pipe};urp;",
        ]
        # A session of its own, so that the soffice script and the soffice.bin it starts
        # form one process group that can be ended together.
        # stdout is kept for the JSON report; soffice's warnings go to stderr.
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            start_new_session=True,
        )

    def _connect(self):
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local
        )
        url = f"uno:pipe,name={self.pipe};urp;StarOffice.ComponentContext"
        while True:
            try:
                context = resolver.resolve(url)
                break
            except NoConnectException:
                if self.process.poll() is not None:
                    raise InspectionError(
                        f"soffice exited with status {self.process.returncode} before "
                        "accepting a connection"
                    ) from None
                time.sleep(CONNECT_POLL)
        return context.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", context
        )

    def _stop(self) -> None:
        """Ask soffice to quit, kill it if it does not, and remove its profile."""
        self._finished.set()
        if self.desktop is not None:
            # The bridge may go down with soffice before terminate() returns.
            with contextlib.suppress(Exception):
                self.desktop.terminate()
            self.desktop = None
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(SHUTDOWN_GRACE)
        if self.process is not None:
            self._kill()
        shutil.rmtree(self.profile, ignore_errors=True)

    def _kill(self) -> None:
        # The group is ours (start_new_session); soffice.bin may outlive the script.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(SHUTDOWN_GRACE)

    def _watchdog(self) -> None:
        if self._finished.wait(self.timeout):
            return
        self.timed_out.set()
        print(f"lo_inspect: timed out after {self.timeout:g} s", file=sys.stderr)
        if self.process is not None:
            self._kill()
        # Killing soffice normally makes the pending UNO call fail; if it does not, end.
        if not self._finished.wait(SHUTDOWN_GRACE):
            shutil.rmtree(self.profile, ignore_errors=True)
            os._exit(EXIT_TIMEOUT)


def describe(document) -> dict:
    """Everything this script reports about a loaded spreadsheet document."""
    return {
        "sheets": [_sheet(sheet) for sheet in _sheets(document)],
        "basic_libraries": list(document.BasicLibraries.ElementNames),
        "modules": _modules(document),
        "names": {
            name: document.NamedRanges.getByName(name).Content
            for name in document.NamedRanges.ElementNames
        },
        "database_ranges": _database_ranges(document),
        "validations": [v for sheet in _sheets(document) for v in _validations(sheet)],
        "summary_table": _summary_table(document),
    }


def export_sheet_pdf(document, sheet_name: str, target: Path) -> None:
    """Write one sheet of ``document`` to ``target`` as PDF."""
    sheet = document.Sheets.getByName(sheet_name)
    # The PDF filter exports only what "Selection" holds when it is given; a sheet is a
    # cell range, so the sheet alone is exported, within its print area.
    filter_data = uno.Any(
        "[]com.sun.star.beans.PropertyValue", _properties(Selection=sheet)
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    document.storeToURL(
        uno.systemPathToFileUrl(str(target.resolve())),
        _properties(FilterName="calc_pdf_Export", FilterData=filter_data),
    )


def _sheets(document) -> list:
    sheets = document.Sheets
    return [sheets.getByIndex(index) for index in range(sheets.Count)]


def _sheet(sheet) -> dict:
    return {
        "name": sheet.Name,
        "visible": bool(sheet.IsVisible),
        "buttons": _buttons(sheet.DrawPage.Forms),
    }


def _buttons(container) -> list[dict]:
    """The command buttons of a form container, subforms included, in form order.

    Imported Excel Form Control buttons sit in a form ("Standard") of the sheet's draw
    page; the macro a button runs is not a property of the button but a script event
    that the form's event attacher manager keeps by the button's index in the form.
    """
    buttons = []
    for index in range(container.Count):
        element = container.getByIndex(index)
        if element.supportsService(FORM_SERVICE):
            buttons += _buttons(element)
            continue
        if getattr(element, "ClassId", None) != COMMAND_BUTTON:
            continue
        events = [
            {
                "listener": event.ListenerType,
                "method": event.EventMethod,
                "type": event.ScriptType,
                "script": event.ScriptCode,
            }
            for event in container.getScriptEvents(index)
        ]
        macro = next(
            (
                e["script"]
                for e in events
                if e["listener"].endswith("XActionListener")
                and e["method"] == "actionPerformed"
            ),
            None,
        )
        buttons.append(
            {
                "name": element.Name,
                "caption": element.Label,
                "macro": macro,
                "events": events,
            }
        )
    return buttons


def _modules(document) -> dict[str, str]:
    libraries = document.BasicLibraries
    if not libraries.hasByName(VBA_LIBRARY):
        return {}
    libraries.loadLibrary(VBA_LIBRARY)
    library = libraries.getByName(VBA_LIBRARY)
    return {name: library.getByName(name) for name in library.ElementNames}


def _database_ranges(document) -> dict[str, dict]:
    ranges = {}
    for name in document.DatabaseRanges.ElementNames:
        found = document.DatabaseRanges.getByName(name)
        area = found.DataArea  # a CellRangeAddress: sheet index, 0-based rows, columns
        sheet = document.Sheets.getByIndex(area.Sheet)
        cells = sheet.getCellRangeByPosition(
            area.StartColumn, area.StartRow, area.EndColumn, area.EndRow
        )
        ranges[name] = {
            "sheet": sheet.Name,
            "address": cells.AbsoluteName,
            "rows": area.EndRow - area.StartRow + 1,
            "columns": area.EndColumn - area.StartColumn + 1,
            "contains_header": bool(found.ContainsHeader),
        }
    return ranges


def _validations(sheet) -> list[dict]:
    """The sheet's validations, one entry per distinct one.

    UniqueCellFormatRanges splits the sheet into groups of cells with identical cell
    attributes, the validation among them, so each group has one Validation object;
    this avoids asking every cell of the sheet.
    """
    found = []
    groups = sheet.UniqueCellFormatRanges
    for index in range(groups.Count):
        group = groups.getByIndex(index)
        validation = group.Validation
        if validation.Type.value == "ANY":
            continue
        found.append(
            {
                "sheet": sheet.Name,
                "ranges": group.RangeAddressesAsString,
                "type": validation.Type.value,
                "operator": validation.Operator.value,
                "formula1": validation.Formula1,
                "formula2": validation.Formula2,
                "show_list": int(validation.ShowList),
                "error_message": validation.ErrorMessage,
            }
        )
    return found


def _summary_table(document) -> dict | None:
    if not document.NamedRanges.hasByName(SUMMARY_TABLE_NAME):
        return None
    document.calculateAll()
    cells = document.NamedRanges.getByName(SUMMARY_TABLE_NAME).ReferredCells
    return {
        "address": cells.AbsoluteName,
        "values": [list(row) for row in cells.DataArray],
    }


def _properties(**values: object) -> tuple:
    """A UNO sequence of PropertyValue from keyword arguments."""
    properties = []
    for name, value in values.items():
        item = PropertyValue()
        item.Name, item.Value = name, value
        properties.append(item)
    return tuple(properties)


if __name__ == "__main__":
    sys.exit(main())
