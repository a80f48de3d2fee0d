"""Consolidation from start to end, as both the CLI and the Konsolidasi button run it:
find the files, inspect them, merge, write the Rekap."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from iku_xl.catalogue import Catalogue
from iku_xl.consolidation import Consolidation, check_period, consolidate
from iku_xl.errors import OutputError, SelectionError
from iku_xl.intake import FileReport, find_files, inspect_all
from iku_xl.rekap import tables, write_rekap

REKAP_SUFFIX = ".xlsx"


def run_consolidation(
    paths: list[Path],
    output: Path,
    catalogue: Catalogue,
    year: int | None = None,
    period: str | None = None,
    take_latest: bool = False,
    on_file: Callable[[int, FileReport], None] | None = None,
) -> Consolidation:
    """Consolidate every workbook under ``paths`` into the Rekap at ``output``.

    ``on_file(total, report)`` is called as each file is read. The Rekap itself, if it
    lies under ``paths``, is not read as an input.

    Raises:
        SelectionError: a path is missing, nothing was found, or the periods are ambiguous.
        OutputError: the Rekap cannot be written.
    """
    check_period(period)
    if output.suffix.lower() != REKAP_SUFFIX:
        raise OutputError(f"Berkas Rekap '{output}' harus berakhiran {REKAP_SUFFIX}.")
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise SelectionError(f"Tidak ditemukan: {', '.join(missing)}.")
    files = [f for f in find_files(paths) if f.resolve() != output.resolve()]
    if not files:
        raise SelectionError("Tidak ada berkas di lokasi yang diberikan.")

    def progress(report: FileReport) -> None:
        if on_file is not None:
            on_file(len(files), report)

    reports = inspect_all(files, catalogue, progress)
    result = consolidate(reports, catalogue, year, period, take_latest)
    write_rekap(result, output)
    return result


def consolidation_json(result: Consolidation) -> dict:
    """The consolidation for machines: the Rekap's tables as lists of records."""
    frames = tables(result)
    records = {
        name.lower().replace(" ", "_"): json.loads(
            frame.to_json(orient="records", double_precision=15, force_ascii=False)
        )
        for name, frame in frames.items()
    }
    return {
        "tahun": result.year,
        "periode": result.period,
        "kode_keluar": result.exit_code,
        **records,
    }
