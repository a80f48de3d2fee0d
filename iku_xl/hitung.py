"""Hitung IKU: read a workbook through the contract, evaluate every IKU, plan the
writes.

Both adapters (the Excel button in ``iku_xl.excel`` and files on disk in
``iku_xl.workbook_file``) call ``run`` and carry out what it returns.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from iku_xl.catalogue import Catalogue
from iku_xl.contract import WorkbookKind, WorkbookView, read_inputs, read_manifest
from iku_xl.engine import IndicatorResult, Status, evaluate
from iku_xl.errors import WorkbookError
from iku_xl.formatting import format_percent
from iku_xl.outputs import Fill, Write, plan

EXIT_VALID = 0
EXIT_PROBLEMS = 1
EXIT_UNUSABLE = 2


@dataclass(frozen=True)
class Outcome:
    """The results of one Hitung and the writes that show them in the workbook."""

    catalogue: Catalogue
    results: list[IndicatorResult]
    operations: list[Write | Fill]
    warnings: tuple[str, ...] = ()  # about the file itself, e.g. saved without macros

    @property
    def exit_code(self) -> int:
        """0 when every filled IKU is valid, 1 when some IKU has problems."""
        filled = [r for r in self.results if r.status is not Status.NOT_FILLED]
        if filled and all(r.status is Status.VALID for r in filled):
            return EXIT_VALID
        return EXIT_PROBLEMS

    def summary(self) -> str:
        """One short text for staff that sums the run up, one line per IKU."""
        lines = []
        for result in self.results:
            line = f"IKU {result.indicator.number} ({result.indicator.division}): "
            line += result.status.value
            if result.realisation is not None:
                line += f", realisasi {format_percent(result.realisation)}"
            if result.achievement is not None:
                line += (
                    f", capaian {format_percent(result.achievement)} "
                    f"({result.predicate})"
                )
            if result.errors:
                line += f", {len(result.errors)} kesalahan"
            lines.append(line)
        if all(r.status is Status.NOT_FILLED for r in self.results):
            lines.append(
                "Belum ada IKU yang diisi: isi tabel komponen lalu hitung lagi."
            )
        elif self.exit_code == EXIT_VALID:
            lines.append("Semua IKU yang diisi valid.")
        else:
            lines.append(
                "Perbaiki sel yang berwarna merah; pesannya ada di tiap lembar "
                "dan di lembar Rekap IKU."
            )
        return "\n".join(lines)


def run(view: WorkbookView, now: dt.datetime | None = None) -> Outcome:
    """Evaluate every IKU of the workbook behind ``view`` and plan the writes.

    Raises:
        WorkbookError: the workbook is not an iku-xl template this version can use.
    """
    manifest = read_manifest(view)
    if manifest.kind is not WorkbookKind.TEMPLATE:
        raise WorkbookError(
            "Ini buku kerja Konsolidasi, bukan template Bidang: tidak ada IKU yang "
            "dihitung di sini. Gunakan tombol Konsolidasi di dalamnya."
        )
    catalogue = manifest.catalogue
    results = [evaluate(inputs, catalogue) for inputs in read_inputs(view, catalogue)]
    stamp = (
        f"Dihitung {(now or dt.datetime.now()):%d-%m-%Y %H:%M}; skala predikat "
        f"{catalogue.scale.name}."
    )
    return Outcome(catalogue, results, plan(view, results, stamp))
