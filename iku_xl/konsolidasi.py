"""Consolidation from start to end, as both the CLI and the Konsolidasi button run it:
find the files, inspect them, merge, write the Rekap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from iku_xl.catalogue import Catalogue
from iku_xl.consolidation import Consolidation, check_period, consolidate
from iku_xl.contract import (
    CONSOLIDATION_FOLDER_NAME,
    CONSOLIDATION_LATEST_NAME,
    CONSOLIDATION_MESSAGES_NAME,
    CONSOLIDATION_OUTPUT_NAME,
    CONSOLIDATION_PERIOD_NAME,
    CONSOLIDATION_RESULT_NAME,
    CONSOLIDATION_SUMMARY_NAME,
    CONSOLIDATION_YEAR_NAME,
    NO,
    YES,
    WorkbookView,
    require_name,
)
from iku_xl.engine import Status
from iku_xl.errors import OutputError, SelectionError
from iku_xl.formatting import format_percent
from iku_xl.intake import (
    DEFAULT_TIMEOUT,
    FileReport,
    display_names,
    find_files,
    inspect_all,
    quarantine,
    renamed,
)
from iku_xl.numbers import is_blank, read_count
from iku_xl.outputs import Write
from iku_xl.reader import is_rekap
from iku_xl.rekap import tables, write_rekap

REKAP_SUFFIX = ".xlsx"
DEFAULT_REKAP = "Rekap_IKU.xlsx"


@dataclass(frozen=True)
class Request:
    """What a planner asked for in the Konsolidasi workbook."""

    folder: Path
    output: Path
    options: Options


@dataclass(frozen=True)
class Options:
    """How to consolidate: which period, how to settle conflicts, and how to open and
    set aside the files."""

    year: int | None = None
    period: str | None = None
    take_latest: bool = False
    password: str | None = None
    quarantine: Path | None = None
    timeout: float = DEFAULT_TIMEOUT


def run_consolidation(
    paths: list[Path],
    output: Path,
    catalogue: Catalogue,
    options: Options = Options(),
    on_file: Callable[[int, FileReport], None] | None = None,
) -> Consolidation:
    """Consolidate every workbook under ``paths`` into the Rekap at ``output``.

    ``on_file(total, report)`` is called as each file is read. The Rekap itself, if it
    lies under ``paths``, is not read as an input. Files whose macros are suspicious
    are copied to ``options.quarantine`` when it is given.

    Raises:
        SelectionError: a path is missing, nothing was found, or the periods are
            ambiguous.
        OutputError: the Rekap cannot be written.
    """
    options = replace(options, period=check_period(options.period))
    if output.suffix.lower() != REKAP_SUFFIX:
        raise OutputError(f"Berkas Rekap '{output}' harus berakhiran {REKAP_SUFFIX}.")
    if options.year is not None and options.year != catalogue.year:
        raise SelectionError(
            f"Tahun {options.year} tidak dapat dikonsolidasi dengan katalog tahun "
            f"{catalogue.year}; pilih --katalog untuk tahun {options.year}."
        )
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise SelectionError(f"Tidak ditemukan: {', '.join(missing)}.")
    if output.exists() and not (output.is_file() and is_rekap(output)):
        raise OutputError(
            f"'{output}' sudah ada dan bukan Rekap iku-xl (mungkin kiriman Bidang atau "
            "sebuah folder): tidak ditimpa. Pilih nama lain untuk Rekap."
        )
    files = [f for f in find_files(paths) if f.resolve() != output.resolve()]
    if not files:
        raise SelectionError("Tidak ada berkas di lokasi yang diberikan.")

    def progress(report: FileReport) -> None:
        if on_file is not None:
            on_file(len(files), report)

    names = display_names(paths, files)
    reports = [
        renamed(report, names[Path(report.path)])
        for report in inspect_all(
            files, catalogue, progress, options.password, options.timeout
        )
    ]
    result = consolidate(
        reports, catalogue, options.year, options.period, options.take_latest
    )
    if options.quarantine is not None:
        quarantine(reports, options.quarantine)
    write_rekap(result, output)
    return result


def consolidation_json(result: Consolidation) -> dict:
    """The consolidation for machines: the Rekap's tables as lists of records."""
    frames = tables(result)
    records = {
        name.lower().replace(" ", "_"): frame.to_dict(orient="records")
        for name, frame in frames.items()
    }
    return {
        "tahun": result.year,
        "periode": result.period,
        "kode_keluar": result.exit_code,
        **records,
    }


def read_request(view: WorkbookView, home: Path) -> Request:
    """The request typed into the Konsolidasi workbook; relative paths are taken from
    ``home`` (the workbook's folder).

    Raises:
        SelectionError: the folder is missing or a cell holds what it cannot.
    """

    def value(name: str) -> object:
        return view.read(require_name(view, name))[0][0]

    folder_text = value(CONSOLIDATION_FOLDER_NAME)
    if is_blank(folder_text):
        raise SelectionError(
            "Folder berkas belum diisi: ketik lokasi folder, misalnya "
            "D:\\IKU\\2020 TW I."
        )
    folder = home / str(folder_text).strip().strip('"')
    output_text = value(CONSOLIDATION_OUTPUT_NAME)
    output = (
        folder / DEFAULT_REKAP
        if is_blank(output_text)
        else folder / str(output_text).strip().strip('"')
    )

    year_value, year = value(CONSOLIDATION_YEAR_NAME), None
    if not is_blank(year_value):
        reading = read_count(year_value)
        if reading.number is None:
            raise SelectionError(
                f'Tahun "{year_value}" bukan tahun; kosongkan atau isi misalnya 2020.'
            )
        year = int(reading.number)

    period_value = value(CONSOLIDATION_PERIOD_NAME)
    period = None if is_blank(period_value) else check_period(str(period_value))
    latest = value(CONSOLIDATION_LATEST_NAME)
    if not is_blank(latest) and str(latest).strip().casefold() not in {
        YES.casefold(),
        NO.casefold(),
    }:
        raise SelectionError(
            f'Isian "{latest}" untuk kiriman terbaru harus {YES} atau {NO}.'
        )
    take_latest = (
        not is_blank(latest) and str(latest).strip().casefold() == YES.casefold()
    )
    return Request(
        folder, output, Options(year=year, period=period, take_latest=take_latest)
    )


def sheet_writes(
    view: WorkbookView, result: Consolidation, output: Path
) -> list[Write]:
    """What the Konsolidasi button writes back: the summary, the table, the messages."""
    table = require_name(view, CONSOLIDATION_RESULT_NAME)
    rows = []
    for entry in result.entries:
        r = entry.chosen.result if entry.chosen is not None else None
        source = (
            entry.chosen.file
            if entry.chosen
            else ", ".join(s.file for s in entry.candidates)
        )
        rows.append(
            [
                entry.indicator.number,
                entry.indicator.division,
                r.realisation if r else None,
                r.target if r else None,
                r.achievement if r else None,
                r.predicate if r else None,
                entry.status.value,
                source or None,
                entry.reason,
            ]
        )
    rows += [[None] * table.width for _ in range(table.height - len(rows))]

    area = require_name(view, CONSOLIDATION_MESSAGES_NAME)
    lines = [
        f"{'Diabaikan' if f.ignored else 'Tidak dapat dipakai'}: {f.name}: {f.reason}"
        for f in result.files
        if not f.usable
    ]
    lines += [f"{finding.file or '-'}: {finding.line()}" for finding in result.findings]
    if len(lines) > area.height:
        rest = len(lines) - area.height + 1
        lines = [
            *lines[: area.height - 1],
            f"... dan {rest} pesan lain; lihat lembar Masalah di Rekap.",
        ]
    lines += [None] * (area.height - len(lines))

    return [
        Write(
            require_name(view, CONSOLIDATION_SUMMARY_NAME), [[summary(result, output)]]
        ),
        Write(table, [row[: table.width] for row in rows]),
        Write(area, [[line] for line in lines]),
    ]


def summary(result: Consolidation, output: Path) -> str:
    """One line for planners: the period, what came in, and where the Rekap is."""
    used = sum(f.usable for f in result.files)
    valid = [e for e in result.entries if e.status is Status.VALID]
    parts = [
        f"{result.year or '-'} {result.period or ''}".strip() + ":",
        f"{used} dari {len(result.files)} berkas dipakai,",
        f"{len(valid)} dari {len(result.entries)} IKU valid.",
    ]
    parts += [
        f"IKU {e.indicator.number}: {e.status.value}"
        + (
            f" ({format_percent(e.chosen.result.realisation)})"
            if e.chosen is not None and e.chosen.result.realisation is not None
            else ""
        )
        + ";"
        for e in result.entries
    ]
    parts.append(f"Rekap: {output}")
    return " ".join(parts)
