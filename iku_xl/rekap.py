"""The consolidated Rekap workbook (.xlsx), written with pandas and XlsxWriter.

Sheets: Rekap IKU (the template's columns, and a chart of realisasi against target), one
Rincian sheet per IKU (components with the file each came from), Konflik (only when two
submissions disagree), Sumber (every input file) and Masalah (every finding). The
consolidated values carry the template's output names (IKU1_Pembilang ... IKU1_Status),
so other tools read the Rekap as they read a filled template.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from iku_xl.atomic import write_atomically
from iku_xl.consolidation import Consolidation, Entry
from iku_xl.contract import (
    OUTPUT_FIELDS,
    REKAP_MARKER_NAME,
    SUMMARY_COLUMNS,
    SUMMARY_SHEET,
    TABLE_COLUMNS,
    Field,
    column_letter,
    name_of,
)
from iku_xl.intake import FileReport, Submission
from iku_xl.numbers import is_blank
from iku_xl.outputs import summary_row

SOURCES_SHEET = "Sumber"
PROBLEMS_SHEET = "Masalah"
CONFLICTS_SHEET = "Konflik"
DETAIL_SHEET = "Rincian IKU {number}"
TABLE_FIRST_ROW = 3  # 0-based: title, subtitle, blank, then the header
SOURCE_COLUMN = "Berkas"
PERCENT_COLUMNS = ("Realisasi", "Target", "Capaian")
COUNT_COLUMNS = ("Pembilang", "Penyebut")
NAMED_FIELDS = (Field.YEAR, Field.PERIOD, Field.TARGET, *OUTPUT_FIELDS)
WRITER_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


def tables(result: Consolidation) -> dict[str, pd.DataFrame]:
    """The Rekap's tables by sheet name; the JSON output is made of the same frames."""
    frames = {SUMMARY_SHEET: _summary(result)}
    for entry in result.entries:
        frames[DETAIL_SHEET.format(number=entry.indicator.number)] = _detail(entry)
    conflicts = [e for e in result.entries if len(e.candidates) > 1]
    if conflicts:
        frames[CONFLICTS_SHEET] = _conflicts(conflicts)
    frames[SOURCES_SHEET] = _sources(result)
    frames[PROBLEMS_SHEET] = _problems(result)
    return frames


def write_rekap(
    result: Consolidation, target: str | Path, now: dt.datetime | None = None
) -> Path:
    """Write the Rekap workbook to ``target`` atomically.

    Raises:
        OutputError: the target cannot be written.
    """
    frames = tables(result)
    stamp = (
        f"Dikonsolidasi {(now or dt.datetime.now()):%d-%m-%Y %H:%M} dari "
        f"{len(result.files)} berkas; skala predikat {result.catalogue.scale.name}."
    )
    return write_atomically(
        Path(target), lambda path: _write(path, result, frames, stamp)
    )


def _write(
    path: Path, result: Consolidation, frames: dict[str, pd.DataFrame], stamp: str
) -> None:
    with pd.ExcelWriter(
        path, engine="xlsxwriter", engine_kwargs={"options": WRITER_OPTIONS}
    ) as writer:
        book = writer.book
        formats = {
            "title": book.add_format({"bold": True, "font_size": 14}),
            "note": book.add_format({"italic": True, "font_color": "#595959"}),
            "percent": book.add_format({"num_format": "0.00%"}),
            "count": book.add_format({"num_format": "#,##0"}),
            "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        }
        for sheet_name, frame in frames.items():
            first_row = TABLE_FIRST_ROW if sheet_name == SUMMARY_SHEET else 0
            frame.to_excel(
                writer, sheet_name=sheet_name, index=False, startrow=first_row
            )
            sheet = writer.sheets[sheet_name]
            for column, header in enumerate(frame.columns):
                width = min(
                    60,
                    max(
                        10,
                        len(str(header)) + 2,
                        *(len(str(v)) + 1 for v in frame[header].head(50)),
                    ),
                )
                number_format = (
                    formats["percent"]
                    if header in PERCENT_COLUMNS
                    else formats["count"]
                    if header in COUNT_COLUMNS
                    else None
                )
                sheet.set_column(column, column, width, number_format)
            sheet.freeze_panes(first_row + 1, 0)
            sheet.set_paper(9)
            sheet.set_landscape()
            sheet.fit_to_pages(1, 0)

        summary = writer.sheets[SUMMARY_SHEET]
        period = f"{result.year or '-'} {result.period or ''}".strip()
        summary.write(
            0, 0, f"Rekap IKU {result.catalogue.office}, {period}", formats["title"]
        )
        summary.write(1, 0, stamp, formats["note"])
        _define_names(book, frames[SUMMARY_SHEET])
        book.define_name(REKAP_MARKER_NAME, f"='{SUMMARY_SHEET}'!$A$1")
        _chart(book, summary, len(result.entries))


def _define_names(book, frame: pd.DataFrame) -> None:
    columns = list(frame.columns)
    for offset, number in enumerate(frame["IKU"]):
        row = TABLE_FIRST_ROW + 2 + offset  # 1-based: below the header row
        for field in NAMED_FIELDS:
            column = columns.index(field.value)
            letter = column_letter(column + 1)
            book.define_name(
                name_of(int(number), field), f"='{SUMMARY_SHEET}'!${letter}${row}"
            )


def _chart(book, sheet, count: int) -> None:
    chart = book.add_chart({"type": "column"})
    first, last = TABLE_FIRST_ROW + 1, TABLE_FIRST_ROW + count
    categories = [SUMMARY_SHEET, first, 0, last, 0]
    for header in ("Realisasi", "Target"):
        column = SUMMARY_COLUMNS.index(header)
        chart.add_series(
            {
                "name": [SUMMARY_SHEET, TABLE_FIRST_ROW, column],
                "categories": categories,
                "values": [SUMMARY_SHEET, first, column, last, column],
            }
        )
    chart.set_title({"name": "Realisasi dan target IKU"})
    chart.set_x_axis({"name": "IKU"})
    chart.set_y_axis({"num_format": "0%", "min": 0})
    sheet.insert_chart(last + 3, 1, chart)


def _summary(result: Consolidation) -> pd.DataFrame:
    rows = []
    for entry in result.entries:
        if entry.chosen is not None:
            row = summary_row(entry.chosen.result)
            row[SUMMARY_COLUMNS.index("Status")] = entry.status.value
            row[SUMMARY_COLUMNS.index(Field.REASON.value)] = entry.reason
            source = entry.chosen.file
        else:
            row = [
                entry.indicator.number,
                entry.indicator.name,
                entry.indicator.division,
                result.year,
                result.period,
                None,
                None,
                None,
                None,
                None,
                None,
                entry.status.value,
                entry.reason,
            ]
            source = ", ".join(s.file for s in entry.candidates) or None
        rows.append([*row, source])
    return pd.DataFrame(rows, columns=[*SUMMARY_COLUMNS, SOURCE_COLUMN], dtype=object)


def _detail(entry: Entry) -> pd.DataFrame:
    rows = []
    for submission in entry.candidates:
        used = "Ya" if submission is entry.chosen else "Tidak (konflik)"
        if entry.chosen is not None and submission is not entry.chosen:
            used = "Tidak (bukan yang terbaru)"
        rows += [
            [*row, submission.file, submission.sheet, used] for row in submission.rows
        ]
    return pd.DataFrame(
        rows, columns=[*TABLE_COLUMNS, SOURCE_COLUMN, "Lembar", "Dipakai"], dtype=object
    )


def _conflicts(entries: list[Entry]) -> pd.DataFrame:
    rows = [
        [
            e.indicator.number,
            s.file,
            s.filler,
            s.date_text,
            s.result.numerator,
            s.result.denominator,
            s.result.realisation,
            s.result.target,
            s.result.status.value,
            components(s),
        ]
        for e in entries
        for s in e.candidates
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "IKU",
            SOURCE_COLUMN,
            "Pengisi",
            "Tanggal",
            "Pembilang",
            "Penyebut",
            "Realisasi",
            "Target",
            "Status",
            "Komponen (pembilang/penyebut)",
        ],
        dtype=object,
    )


def components(submission: Submission) -> str:
    """A submission's rows as staff typed them: '120/150; 45/60; ...'."""
    return "; ".join(
        f"{_shown(numerator)}/{_shown(denominator)}"
        for _, numerator, denominator, _ in submission.rows
        if not (is_blank(numerator) and is_blank(denominator))
    )


def _shown(value: object) -> str:
    if is_blank(value):
        return "-"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _sources(result: Consolidation) -> pd.DataFrame:
    rows = [
        [
            f.name,
            f.path,
            f.size,
            f.sha256,
            f.template_version,
            ", ".join(f.sheets),
            ", ".join(f.fillers),
            ", ".join(f.dates),
            f.macros.label() if f.macros is not None else None,
            f.macros.fingerprint if f.macros is not None else None,
            _standing(f),
            f.reason,
        ]
        for f in result.files
    ]
    columns = [
        SOURCE_COLUMN,
        "Lokasi",
        "Ukuran (byte)",
        "SHA-256",
        "Versi template",
        "Lembar dipakai",
        "Pengisi",
        "Tanggal pengisian",
        "Makro",
        "Sidik VBA",
        "Status",
        "Alasan",
    ]
    return pd.DataFrame(rows, columns=columns, dtype=object)


def _standing(report: FileReport) -> str:
    if report.usable:
        return "Dipakai"
    return "Diabaikan" if report.ignored else "Tidak dapat dipakai"


def _problems(result: Consolidation) -> pd.DataFrame:
    rows = [
        [f.file, f.severity.value, f.sheet or None, f.cell, _plain(f.value), f.message]
        for f in result.findings
    ]
    rows += [
        [
            f.name,
            "Kesalahan",
            None,
            None,
            None,
            f"Berkas tidak dapat dipakai: {f.reason}",
        ]
        for f in result.files
        if not f.usable and not f.ignored
    ]
    return pd.DataFrame(
        rows,
        columns=[SOURCE_COLUMN, "Jenis", "Lembar", "Sel", "Nilai", "Pesan"],
        dtype=object,
    )


def _plain(value: object) -> object:
    if value is None or isinstance(value, int | float | str):
        return value
    return str(value)
