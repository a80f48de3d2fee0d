"""Consolidation: many workbooks' submissions merged into one Rekap for one Tahun and
Periode, with duplicates counted once, conflicts shown and never silently resolved, and
the IKU nobody sent reported as not yet submitted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from iku_xl.catalogue import Catalogue, Indicator
from iku_xl.engine import PERIODS, Status, match_period
from iku_xl.errors import SelectionError
from iku_xl.findings import Finding, Rule, Severity
from iku_xl.intake import FileReport, Submission

EXIT_COMPLETE = 0
EXIT_PROBLEMS = 1


@dataclass(frozen=True)
class Entry:
    """One IKU of the consolidated Rekap."""

    indicator: Indicator
    status: Status
    reason: str
    chosen: Submission | None = None
    candidates: tuple[Submission, ...] = ()
    duplicates: tuple[Submission, ...] = ()


@dataclass(frozen=True)
class Consolidation:
    """The consolidated Rekap of one Tahun and Periode, and all that was found."""

    catalogue: Catalogue
    year: int | None
    period: str | None
    entries: tuple[Entry, ...]
    files: tuple[FileReport, ...]
    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @property
    def exit_code(self) -> int:
        """0 when every IKU came in once (or in identical copies) and valid, every file
        was usable (or not a submission at all) and no finding is an error; else 1."""
        complete = all(e.status is Status.VALID for e in self.entries)
        usable = all(f.usable or f.ignored for f in self.files)
        clean = not any(f.severity is Severity.ERROR for f in self.findings)
        return EXIT_COMPLETE if complete and usable and clean else EXIT_PROBLEMS


def consolidate(
    files: list[FileReport],
    catalogue: Catalogue,
    year: int | None = None,
    period: str | None = None,
    take_latest: bool = False,
) -> Consolidation:
    """Merge the submissions of ``files`` for one Tahun and Periode.

    Without ``year`` and ``period`` the files must hold a single Tahun and Periode.

    Raises:
        SelectionError: several periods and no choice, or a period that is not one of
            the template's.
    """
    period = check_period(period)
    submissions = [s for f in files for s in f.submissions]
    findings = [finding for f in files for finding in f.findings]
    placed = [s for s in submissions if None not in s.key]
    for submission in submissions:
        if None in submission.key:
            findings.append(
                _about(
                    submission,
                    Rule.OUTSIDE_SELECTION,
                    Severity.WARNING,
                    "tidak dapat dimasukkan ke Rekap karena Tahun atau "
                    "Periodenya belum benar.",
                )
            )

    keys = sorted(
        {
            s.key
            for s in placed
            if (year is None or s.key[0] == year)
            and (period is None or s.key[1] == period)
        },
        key=lambda k: (k[0], PERIODS.index(k[1])),
    )
    if len(keys) > 1:
        found = "; ".join(f"{y} {p}" for y, p in keys)
        raise SelectionError(
            f"Berkas-berkas ini berisi lebih dari satu periode ({found}). Pilih satu: "
            f"di baris perintah dengan --tahun dan --periode (misalnya --tahun "
            f'{keys[0][0]} --periode "{keys[0][1]}"), di buku kerja Konsolidasi dengan '
            "sel Tahun dan Periode."
        )
    chosen_year, chosen_period = keys[0] if keys else (year, period)
    selected = [s for s in placed if s.key == (chosen_year, chosen_period)]
    for submission in placed:
        if submission.key != (chosen_year, chosen_period):
            findings.append(
                _about(
                    submission,
                    Rule.OUTSIDE_SELECTION,
                    Severity.NOTE,
                    f"untuk {submission.key[0]} {submission.key[1]}, di luar "
                    "periode yang "
                    "dikonsolidasi; tidak dimasukkan.",
                )
            )

    entries = []
    for indicator in catalogue.indicators:
        mine = [s for s in selected if s.indicator.number == indicator.number]
        entry = _entry(indicator, mine, take_latest)
        entries.append(entry)
        findings += _entry_findings(entry)
    return Consolidation(
        catalogue,
        chosen_year,
        chosen_period,
        tuple(entries),
        tuple(files),
        tuple(findings),
    )


def check_period(period: str | None) -> str | None:
    """The period asked for, spelled as the template spells it (None: any).

    Raises:
        SelectionError: ``period`` names none of PERIODS.
    """
    if period is None:
        return None
    found = match_period(period)
    if found is None:
        raise SelectionError(
            f"Periode '{period}' tidak dikenal. Pilih salah satu: {', '.join(PERIODS)}."
        )
    return found


def _entry(
    indicator: Indicator, submissions: list[Submission], take_latest: bool
) -> Entry:
    if not submissions:
        return Entry(
            indicator,
            Status.NOT_SUBMITTED,
            f"Belum ada berkas dari Bidang {indicator.division}.",
        )
    distinct: dict[tuple, list[Submission]] = {}
    for submission in submissions:
        distinct.setdefault(submission.fingerprint, []).append(submission)
    firsts = [group[0] for group in distinct.values()]
    duplicates = tuple(s for group in distinct.values() for s in group[1:])
    if len(firsts) == 1:
        chosen = firsts[0]
        return Entry(
            indicator,
            chosen.result.status,
            chosen.result.reason,
            chosen,
            (chosen,),
            duplicates,
        )
    if take_latest:
        chosen = max(firsts, key=_recency)
        others = ", ".join(s.file for s in firsts if s is not chosen)
        return Entry(
            indicator,
            chosen.result.status,
            f"Diambil kiriman terbaru ({chosen.file}); diabaikan: {others}.",
            chosen,
            tuple(firsts),
            duplicates,
        )
    names = " dan ".join(f"'{s.file}'" for s in firsts)
    return Entry(
        indicator,
        Status.CONFLICT,
        f"{len(firsts)} kiriman berbeda ({names}); tidak ada yang dipilih. "
        "Pastikan mana yang benar, atau pilih kiriman terbaru (--ambil-terbaru, atau "
        "'Ya' di buku kerja Konsolidasi).",
        None,
        tuple(firsts),
        duplicates,
    )


def _recency(submission: Submission) -> tuple[dt.date, float]:
    # The Tanggal pengisian decides; without one, the day the file was last saved.
    saved = dt.datetime.fromtimestamp(submission.modified).date()
    return submission.filled_date or saved, submission.modified


def _entry_findings(entry: Entry) -> list[Finding]:
    def about_entry(rule: Rule, severity: Severity, file: str | None = None) -> Finding:
        message = f"IKU {entry.indicator.number}: {entry.reason}"
        return Finding("", None, None, rule, severity, message, file=file)

    found = []
    if entry.status is Status.NOT_SUBMITTED:
        found.append(about_entry(Rule.NOT_SUBMITTED, Severity.ERROR))
    if entry.status is Status.CONFLICT:
        found.append(about_entry(Rule.CONFLICT, Severity.ERROR))
    if entry.chosen is not None and len(entry.candidates) > 1:
        # --ambil-terbaru settled a conflict: said, not silent.
        found.append(about_entry(Rule.CONFLICT, Severity.WARNING, entry.chosen.file))
    for duplicate in entry.duplicates:
        original = next(
            s for s in entry.candidates if s.fingerprint == duplicate.fingerprint
        )
        found.append(
            _about(
                duplicate,
                Rule.DUPLICATE,
                Severity.NOTE,
                f"angkanya sama persis dengan kiriman '{original.file}'; dihitung "
                "sekali.",
            )
        )
    return found


def _about(
    submission: Submission, rule: Rule, severity: Severity, text: str
) -> Finding:
    return Finding(
        submission.sheet,
        None,
        None,
        rule,
        severity,
        f"IKU {submission.indicator.number} dari '{submission.file}' {text}",
        file=submission.file,
    )
