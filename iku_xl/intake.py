"""Intake for consolidation: find the workbooks, open each one safely, identify it, and
turn it into submissions recomputed from its raw inputs.

Stored outputs are never trusted: every IKU is evaluated again by the engine, and where
the values a workbook stored differ, that is said (its inputs changed after the last
Hitung). A file that cannot be used never stops the run; it is reported with its reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import math
import shutil
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path

from iku_xl.catalogue import Catalogue, Indicator
from iku_xl.contract import (
    MANIFEST_NAME,
    REKAP_MARKER_NAME,
    Field,
    WorkbookKind,
    WorkbookView,
    name_of,
    read_inputs,
    read_manifest,
)
from iku_xl.engine import (
    BrokenInput,
    IndicatorInput,
    IndicatorResult,
    Status,
    evaluate,
)
from iku_xl.errors import IkuXlError, OutputError, describe_os_error
from iku_xl.filetype import LOCK_FILE_REASON, is_lock_file, load
from iku_xl.findings import Finding, Rule, Severity
from iku_xl.macros import MacroReport, inspect_macros
from iku_xl.numbers import is_blank, read_number
from iku_xl.outputs import output_values
from iku_xl.reader import CalamineView, defined_names, workbook_part
from iku_xl.sandbox import Failure, run_isolated

log = logging.getLogger(__name__)

# Findings after which a file read with calamine is read again with openpyxl.
SECOND_LOOK = frozenset({Rule.CELL_EMPTY, Rule.ROW_NOT_FILLED})
DEFAULT_TIMEOUT = 120.0  # seconds one file may take to read
WORKER_MODULES = ("iku_xl.intake",)  # imported once where the workers start from
NOT_A_FILE = "Bukan berkas biasa (pipa atau perangkat); diabaikan."
# How staff type a Tanggal pengisian as text.
DATE_LAYOUTS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")
HASH_CHUNK = 1 << 20
COMPARED_OUTPUTS = (
    Field.NUMERATOR,
    Field.DENOMINATOR,
    Field.REALISATION,
    Field.ACHIEVEMENT,
    Field.STATUS,
)


@dataclass(frozen=True)
class Submission:
    """One IKU for one Tahun and Periode, as one workbook sent it, recomputed."""

    indicator: Indicator
    result: IndicatorResult
    rows: tuple[tuple[object, object, object, object], ...]
    fingerprint: tuple
    file: str
    sheet: str
    filler: str | None
    filled_on: str | None
    modified: float
    filled_date: dt.date | None = None  # Tanggal pengisian, when it reads as a date
    findings: tuple[Finding, ...] = ()

    @property
    def date_text(self) -> str:
        """Tanggal pengisian as staff write it (15/01/2021), or as typed."""
        if self.filled_date is not None:
            return f"{self.filled_date:%d/%m/%Y}"
        return self.filled_on or "-"

    @property
    def key(self) -> tuple[int | None, str | None]:
        """The Tahun and Periode this submission is for."""
        return self.result.year, self.result.period


@dataclass(frozen=True)
class FileReport:
    """What intake found in one file: identity, submissions, or why it is unusable."""

    path: str
    name: str
    size: int
    sha256: str
    usable: bool
    reason: str
    template_version: str | None = None
    sheets: tuple[str, ...] = ()
    fillers: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    submissions: tuple[Submission, ...] = ()
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    macros: MacroReport | None = None
    ignored: bool = False  # not a submission at all (a lock file, the Konsolidasi book)

    @property
    def suspicious(self) -> bool:
        """Its macros differ from the official template's."""
        return self.macros is not None and self.macros.suspicious


def find_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every file named, and every entry but folders under every folder named (pipes
    and devices too, to be reported), sorted, each once."""
    found: dict[Path, None] = {}
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if not p.is_dir()):
                found.setdefault(child, None)
        else:
            found.setdefault(path, None)
    return list(found)


def display_names(roots: Iterable[str | Path], files: list[Path]) -> dict[Path, str]:
    """How each file is named to staff: its path below the folder it was found in (two
    submissions may share a name in different subfolders), or its own name."""
    folders = [Path(root) for root in roots if Path(root).is_dir()]
    names = {}
    for path in files:
        folder = next((f for f in folders if path.is_relative_to(f)), None)
        names[path] = path.relative_to(folder).as_posix() if folder else path.name
    return names


def renamed(report: FileReport, name: str) -> FileReport:
    """The same report, its file (and everything that names it) called ``name``."""
    if name == report.name:
        return report

    def rename(finding: Finding) -> Finding:
        return replace(finding, file=name) if finding.file == report.name else finding

    submissions = tuple(
        replace(s, file=name, findings=tuple(map(rename, s.findings)))
        for s in report.submissions
    )
    return replace(
        report,
        name=name,
        submissions=submissions,
        findings=tuple(map(rename, report.findings)),
    )


def inspect_all(
    paths: list[Path],
    catalogue: Catalogue,
    progress: Callable[[FileReport], None] | None = None,
    password: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[FileReport]:
    """Inspect every file, each in a worker process; reports in the order of paths.

    A file whose reader brings its worker down, or takes longer than ``timeout``
    seconds, is reported as unusable; the others are still read.
    """
    reports: list[FileReport | None] = [None] * len(paths)
    crashed = []
    work = functools.partial(inspect, catalogue=catalogue, password=password)
    for index, outcome in run_isolated(
        work, paths, timeout=timeout, preload=WORKER_MODULES
    ):
        if isinstance(outcome, Failure) and outcome.crashed:
            crashed.append(index)  # read again below, with the careful reader
            continue
        if isinstance(outcome, Failure):
            outcome = _failed(paths[index], outcome, timeout)
        reports[index] = outcome
        if progress is not None:
            progress(outcome)

    # calamine holds a sheet's whole used range in memory, so a stray value in a far
    # corner can bring its worker down; openpyxl keeps only the cells that exist.
    careful = functools.partial(
        inspect, catalogue=catalogue, password=password, careful=True
    )
    retry = [paths[i] for i in crashed]
    for position, outcome in run_isolated(
        careful, retry, timeout=timeout, preload=WORKER_MODULES
    ):
        if isinstance(outcome, Failure):
            outcome = _failed(retry[position], outcome, timeout)
        reports[crashed[position]] = outcome
        if progress is not None:
            progress(outcome)
    return reports


def inspect(
    path: Path,
    catalogue: Catalogue,
    password: str | None = None,
    careful: bool = False,
) -> FileReport:
    """Everything intake learns from one file; never raises for a problem of the file.

    ``careful`` reads the cells with openpyxl instead of python-calamine: slower, but
    proof against sheets whose used range is absurdly large.
    """
    try:
        details = path.stat()
        if not stat.S_ISREG(details.st_mode):
            return FileReport(
                str(path), path.name, 0, "", False, NOT_A_FILE, ignored=True
            )
        size, digest = details.st_size, _sha256(path)
    except OSError as err:
        reason = f"Berkas tidak dapat dibaca: {describe_os_error(err)}."
        return FileReport(str(path), path.name, 0, "", False, reason)
    identity = dict(path=str(path), name=path.name, size=size, sha256=digest)
    if is_lock_file(path):
        return FileReport(
            **identity, usable=False, ignored=True, reason=LOCK_FILE_REASON
        )
    try:
        return _read(path, catalogue, password, careful, identity)
    except IkuXlError as err:
        return FileReport(**identity, usable=False, reason=str(err))
    except Exception as err:
        log.debug("unexpected failure reading %s", path, exc_info=True)
        reason = f"Berkas tidak dapat dibaca ({type(err).__name__})."
        return FileReport(**identity, usable=False, reason=reason)


def quarantine(reports: list[FileReport], folder: Path) -> list[Path]:
    """Copy every file with suspicious macros into ``folder``; the copies' paths.

    Raises:
        OutputError: the folder cannot be made or written.
    """
    suspicious = [r for r in reports if r.suspicious]
    copies = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for report in suspicious:
            original = Path(report.path)
            target = folder / original.name
            counter = 1
            while target.exists():
                counter += 1
                target = folder / f"{original.stem} ({counter}){original.suffix}"
            shutil.copy2(report.path, target)
            copies.append(target)
    except OSError as err:
        raise OutputError(
            f"Tidak dapat menyalin ke folder karantina '{folder}': {err}"
        ) from err
    return copies


def _read(
    path: Path,
    catalogue: Catalogue,
    password: str | None,
    careful: bool,
    identity: dict,
) -> FileReport:
    data, sniffed = load(path, password)
    package = sniffed.package
    workbook = workbook_part(path, package)
    names = defined_names(workbook)
    if REKAP_MARKER_NAME in names and MANIFEST_NAME not in names:
        return FileReport(
            **identity,
            usable=False,
            ignored=True,
            reason="Rekap iku-xl (hasil konsolidasi sebelumnya); diabaikan.",
        )
    macros = inspect_macros(package, workbook)
    notes = [_file_finding(path, Rule.FILE_WARNING, text) for text in sniffed.warnings]
    if macros.suspicious:
        notes.append(
            _file_finding(
                path,
                Rule.SUSPICIOUS_MACROS,
                "Makro berbeda dari template resmi ("
                + "; ".join(macros.reasons)
                + "). "
                "Data tetap dibaca; jangan aktifkan makro berkas ini.",
            )
        )

    if careful:
        view = _openpyxl_view(path, password)
    else:
        view = CalamineView(path, data, names)
    manifest = read_manifest(view, catalogue)
    if manifest.kind is WorkbookKind.CONSOLIDATION:
        return FileReport(
            **identity,
            usable=False,
            ignored=True,
            macros=macros,
            template_version=manifest.template_version,
            reason="Buku kerja Konsolidasi (bukan kiriman Bidang); diabaikan.",
        )
    if manifest.catalogue.digest != catalogue.digest:
        return FileReport(
            **identity,
            usable=False,
            template_version=manifest.template_version,
            macros=macros,
            findings=tuple(notes),
            reason="Dibuat dari template lain (katalog "
            f"{manifest.catalogue.office} tahun {manifest.catalogue.year}, sidik "
            f"{manifest.catalogue.digest[:12]}), "
            "bukan template yang sedang dikonsolidasi.",
        )
    submissions, broken = _submissions(view, path, catalogue)
    if not careful and any(
        f.rule in SECOND_LOOK for s in submissions for f in s.result.findings
    ):
        # calamine shows error cells and uncalculated formulas as empty: openpyxl tells
        # them apart, so a sheet with empty cells is read again with it.
        submissions, broken = _submissions(
            _openpyxl_view(path, password), path, catalogue
        )
    findings = [*notes, *broken, *(f for s in submissions for f in s.findings)]
    return FileReport(
        **identity,
        usable=True,
        reason=f"{len(submissions)} IKU terisi."
        if submissions
        else "Tidak ada IKU terisi.",
        template_version=manifest.template_version,
        sheets=tuple(s.sheet for s in submissions),
        fillers=tuple(dict.fromkeys(s.filler for s in submissions if s.filler)),
        dates=tuple(dict.fromkeys(s.filled_on for s in submissions if s.filled_on)),
        submissions=tuple(submissions),
        findings=tuple(findings),
        macros=macros,
    )


def _submissions(
    view: WorkbookView, path: Path, catalogue: Catalogue
) -> tuple[list[Submission], list[Finding]]:
    """The filled IKU of a workbook, and findings for the sheets that cannot be read."""
    modified = path.stat().st_mtime
    submissions, broken = [], []
    for inputs in read_inputs(view, catalogue):
        if isinstance(inputs, BrokenInput):
            # Whether a broken sheet was filled in cannot be known: it is no submission.
            broken.append(
                _file_finding(
                    path,
                    Rule.CONTRACT_BROKEN,
                    f"IKU {inputs.indicator.number} tidak dapat dibaca dan tidak "
                    "dimasukkan: "
                    f"{inputs.message}",
                )
            )
            continue
        result = evaluate(inputs, catalogue)
        if result.status is Status.NOT_FILLED:
            continue
        stored = _stored_output_findings(view, result)
        submissions.append(
            Submission(
                indicator=inputs.indicator,
                result=result,
                rows=tuple(
                    (
                        r.component.value,
                        r.numerator.value,
                        r.denominator.value,
                        r.note.value,
                    )
                    for r in inputs.rows
                ),
                fingerprint=_fingerprint(inputs),
                file=path.name,
                sheet=inputs.sheet,
                filler=_text(inputs.filler_name.value),
                filled_on=_text(inputs.filled_on.value),
                filled_date=_date(inputs.filled_on.value),
                modified=modified,
                findings=tuple(
                    f.in_file(path.name) for f in (*result.findings, *stored)
                ),
            )
        )
    return submissions, broken


def _openpyxl_view(path: Path, password: str | None) -> WorkbookView:
    # Imported here: openpyxl (and numpy behind it) would slow every worker's start,
    # and only the few files that need a second look use it.
    from iku_xl.workbook_file import FileWorkbook

    return FileWorkbook(path, password)


def _file_finding(path: Path, rule: Rule, message: str) -> Finding:
    return Finding("", None, None, rule, Severity.WARNING, message, file=path.name)


def _stored_output_findings(
    view: WorkbookView, result: IndicatorResult
) -> list[Finding]:
    number = result.indicator.number
    recomputed = output_values(result)
    stored = {}
    for field_ in COMPARED_OUTPUTS:
        ref = view.name_ref(name_of(number, field_))
        stored[field_] = view.read(ref)[0][0] if ref is not None else None
    if is_blank(stored[Field.STATUS]):
        return [
            Finding(
                result.sheet,
                None,
                None,
                Rule.NEVER_COMPUTED,
                Severity.NOTE,
                f"IKU {number} di lembar '{result.sheet}' belum pernah dihitung di "
                "Excel (tombol Hitung IKU belum diklik); dihitung di sini.",
            )
        ]
    differing = [
        f.value for f in COMPARED_OUTPUTS if not _same(stored[f], recomputed[f])
    ]
    if not differing:
        return []
    return [
        Finding(
            result.sheet,
            None,
            None,
            Rule.STORED_OUTPUT_DIFFERS,
            Severity.WARNING,
            f"Nilai tersimpan IKU {number} di lembar '{result.sheet}' "
            f"({', '.join(differing)}) berbeda dengan hasil hitung ulang: isian diubah "
            "setelah Hitung IKU terakhir. Yang dipakai adalah hasil hitung ulang.",
        )
    ]


def _same(stored: object, recomputed: object) -> bool:
    if is_blank(stored) and recomputed is None:
        return True
    if isinstance(recomputed, int | float) and isinstance(stored, int | float):
        return math.isclose(stored, recomputed, rel_tol=1e-9, abs_tol=1e-12)
    return stored == recomputed


def _fingerprint(inputs: IndicatorInput) -> tuple:
    """The numbers a submission states: equal fingerprints make identical duplicates.

    Rows left blank (an inserted row, say) state nothing and are left out.
    """
    rows = [
        (r.numerator, r.denominator)
        for r in inputs.rows
        if not (is_blank(r.numerator.value) and is_blank(r.denominator.value))
    ]
    cells = [inputs.target, *(cell for row in rows for cell in row)]
    return tuple(_normalised(c.value) for c in cells)


def _normalised(value: object) -> object:
    reading = read_number(value)
    if reading.number is not None:
        return reading.number.normalize()
    return None if is_blank(value) else str(value)


def _text(value: object) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | Decimal) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


def _date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        for layout in DATE_LAYOUTS:
            try:
                return dt.datetime.strptime(value.strip(), layout).date()
            except ValueError:
                continue
    return None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _failed(path: Path, failure: Failure, timeout: float) -> FileReport:
    if failure.timed_out:
        reason = (
            f"Berkas terlalu lama dibaca (lebih dari {timeout:g} detik): "
            "kemungkinan rusak atau sengaja dibuat berbahaya."
        )
    else:
        reason = (
            "Pembaca berkas berhenti mendadak: berkas kemungkinan rusak atau "
            "sengaja dibuat berbahaya."
        )
    try:
        size, digest = path.stat().st_size, _sha256(path)
    except OSError:
        size, digest = 0, ""
    return FileReport(str(path), path.name, size, digest, False, reason)
