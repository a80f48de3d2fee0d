"""The command line: ``iku-xl hitung``, ``konsolidasi``, ``template`` and ``demo``.

What staff see is Indonesian; a mistake of theirs ends with a message and a non-zero
exit code, never a traceback.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from iku_xl.catalogue import load_catalogue
from iku_xl.consolidation import Consolidation
from iku_xl.contract import SUMMARY_COLUMNS
from iku_xl.engine import Status
from iku_xl.errors import IkuXlError, OutputError
from iku_xl.findings import Severity
from iku_xl.formatting import format_count, format_percent
from iku_xl.hitung import EXIT_UNUSABLE, Outcome
from iku_xl.konsolidasi import Options, consolidation_json, run_consolidation
from iku_xl.konsolidasi_template import build_consolidation_workbook
from iku_xl.rekap import components
from iku_xl.sample import fill_sample
from iku_xl.template import build_template
from iku_xl.workbook_file import hitung_file

log = logging.getLogger(__name__)

TEMPLATE_FILE = "workbook_template.xlsm"
CONSOLIDATION_FILE = "konsolidasi_template.xlsm"
EXIT_INTERRUPTED = 130
TERMINAL_OMITS = ("Indikator", "Tahun", "Alasan")
DEMO_FILE = "contoh_iku_terisi.xlsm"
STATUS_STYLE = {
    Status.VALID: "green",
    Status.NOT_FILLED: "dim",
    Status.NOT_COMPUTABLE: "yellow",
    Status.HAS_ERRORS: "red",
    Status.NOT_SUBMITTED: "yellow",
    Status.CONFLICT: "red",
}

# Off a terminal (a pipe, a log) rich would assume 80 columns and cut the Rekap table.
_WIDTH = None if sys.stdout.isatty() else 160
console = Console(highlight=False, width=_WIDTH)
errors = Console(stderr=True, highlight=False, width=_WIDTH)


@click.group(help="iku-xl: pengisian dan perhitungan IKU Dinas Sosial.")
@click.option("-v", "--rinci", "verbose", is_flag=True, help="Tampilkan log rinci.")
def cli(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


@cli.command(help="Periksa dan hitung IKU dalam sebuah buku kerja (.xlsm/.xlsx).")
@click.argument("berkas", type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--keluaran",
    "output",
    type=click.Path(path_type=Path),
    help="Tulis hasil ke berkas ini; berkas masukan tidak diubah.",
)
@click.option("--password", help="Kata sandi buku kerja yang dilindungi.")
def hitung(berkas: Path, output: Path | None, password: str | None) -> None:
    outcome = hitung_file(berkas, output, password)
    for warning in outcome.warnings:
        console.print(f"[yellow]Peringatan:[/] {warning}", soft_wrap=True)
    show(outcome)
    console.print(outcome.summary().splitlines()[-1])
    console.print(f"Hasil ditulis ke {output or berkas}.")
    sys.exit(outcome.exit_code)


@cli.command(help="Buat template dari katalog IKU.")
@click.option(
    "-k",
    "--katalog",
    type=click.Path(path_type=Path),
    help="Berkas katalog TOML (bawaan: katalog 2020).",
)
@click.option(
    "-o",
    "--keluaran",
    "output",
    type=click.Path(path_type=Path),
    help=f"Berkas yang ditulis (bawaan: {TEMPLATE_FILE}, atau "
    f"{CONSOLIDATION_FILE} dengan --konsolidasi).",
)
@click.option(
    "--konsolidasi",
    "consolidation",
    is_flag=True,
    help="Buat buku kerja Konsolidasi untuk Subbagian Perencanaan.",
)
@click.option(
    "--timpa", "overwrite", is_flag=True, help="Timpa berkas keluaran yang sudah ada."
)
def template(
    katalog: Path | None, output: Path | None, consolidation: bool, overwrite: bool
) -> None:
    target = output or Path(CONSOLIDATION_FILE if consolidation else TEMPLATE_FILE)
    _check_template_target(target, overwrite)
    catalogue = load_catalogue(katalog)
    if consolidation:
        path = build_consolidation_workbook(catalogue, target)
    else:
        path = build_template(catalogue, target)
    console.print(f"Template ditulis ke {path}.")


@cli.command(
    help="Contoh lengkap: isi template dengan data ilustrasi, hitung, tampilkan."
)
@click.option(
    "--template",
    "template_path",
    type=click.Path(path_type=Path),
    default=Path(TEMPLATE_FILE),
    show_default=True,
    help="Template yang dipakai; dibuat baru bila tidak ada.",
)
@click.option(
    "-o",
    "--folder",
    type=click.Path(path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder keluaran.",
)
def demo(template_path: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if not template_path.is_file():
        template_path = build_template(load_catalogue(), folder / TEMPLATE_FILE)
        console.print(f"Template dibuat: {template_path}")
    filled = fill_sample(template_path, folder / DEMO_FILE)
    outcome = hitung_file(filled)
    console.print("[bold]Data contoh ini hanya ilustrasi, bukan data resmi.[/bold]")
    show(outcome)
    console.print(f"Buku kerja terisi ditulis ke {filled}.")
    sys.exit(outcome.exit_code)


@cli.command(help="Gabungkan buku kerja dari semua Bidang menjadi satu Rekap IKU.")
@click.argument("lokasi", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "-o",
    "--keluaran",
    "output",
    type=click.Path(path_type=Path),
    required=True,
    help="Berkas Rekap (.xlsx) yang ditulis.",
)
@click.option("--tahun", type=int, help="Tahun yang dikonsolidasi.")
@click.option("--periode", help="Periode: TW I, TW II, TW III, TW IV atau Tahunan.")
@click.option(
    "--ambil-terbaru",
    "take_latest",
    is_flag=True,
    help="Bila dua kiriman berbeda, pakai yang terbaru.",
)
@click.option("--json", "as_json", is_flag=True, help="Cetak hasil sebagai JSON.")
@click.option(
    "-k",
    "--katalog",
    type=click.Path(path_type=Path),
    help="Katalog template yang dikonsolidasi (bawaan: katalog 2020).",
)
@click.option("--password", help="Kata sandi untuk buku kerja yang dilindungi.")
@click.option(
    "--karantina",
    "quarantine",
    type=click.Path(path_type=Path),
    help="Salin berkas dengan makro mencurigakan ke folder ini.",
)
def konsolidasi(
    lokasi: tuple[Path, ...],
    output: Path,
    tahun: int | None,
    periode: str | None,
    take_latest: bool,
    as_json: bool,
    katalog: Path | None,
    password: str | None,
    quarantine: Path | None,
) -> None:
    options = Options(
        year=tahun,
        period=periode,
        take_latest=take_latest,
        password=password,
        quarantine=quarantine,
    )
    # Refreshed by hand, not by rich's own thread: with a single thread running, the
    # readers' worker processes can be forked at once (see iku_xl.sandbox).
    with Progress(
        console=errors,
        transient=True,
        disable=as_json or not errors.is_terminal,
        auto_refresh=False,
    ) as progress:
        task = progress.add_task("Membaca berkas", total=None)

        def advance(total: int, report: object) -> None:
            progress.update(task, total=total, advance=1)
            progress.refresh()

        result = run_consolidation(
            list(lokasi), output, load_catalogue(katalog), options, on_file=advance
        )
    if as_json:
        console.print_json(
            data=consolidation_json(result), ensure_ascii=False, default=_json_value
        )
    else:
        show_consolidation(result)
        console.print(f"Rekap ditulis ke {output}.")
    sys.exit(result.exit_code)


def _json_value(value: object) -> object:
    # What JSON has no type for (dates typed into count cells, say) goes as text.
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _check_template_target(target: Path, overwrite: bool) -> None:
    if target.suffix.lower() != ".xlsm":
        raise OutputError(
            f"Template '{target}' harus berakhiran .xlsm: berisi makro, dan Excel "
            "menolak membuka buku kerja bermakro yang berakhiran lain."
        )
    if target.is_dir() or not target.parent.is_dir():
        raise OutputError(
            f"Tidak dapat menulis template ke '{target}': folder tujuannya tidak ada "
            "atau itu sebuah folder."
        )
    if target.exists() and not overwrite:
        raise OutputError(
            f"'{target}' sudah ada dan tidak ditimpa (mungkin berisi isian). Pilih "
            "nama lain, atau tambahkan --timpa."
        )


def show(outcome: Outcome) -> None:
    """Print the Rekap IKU table and every finding."""
    table = Table(
        title=f"Rekap IKU {outcome.catalogue.office} {outcome.catalogue.year}"
    )
    # The Rekap IKU columns, but for those too long for a terminal line.
    for header in (h for h in SUMMARY_COLUMNS if h not in TERMINAL_OMITS):
        table.add_column(
            header,
            justify="left" if header in ("Bidang", "Status", "Predikat") else "right",
        )
    for r in outcome.results:
        table.add_row(
            str(r.indicator.number),
            r.indicator.division,
            r.period or "-",
            format_count(r.numerator),
            format_count(r.denominator),
            format_percent(r.realisation),
            format_percent(r.target),
            format_percent(r.achievement),
            r.predicate or "-",
            f"[{STATUS_STYLE[r.status]}]{r.status.value}[/]",
        )
    console.print(table)
    console.print(f"Skala predikat: {outcome.catalogue.scale.name}.")
    findings = [f for r in outcome.results for f in r.findings]
    for finding in findings:
        colour = {Severity.ERROR: "red", Severity.WARNING: "yellow"}.get(
            finding.severity, "cyan"
        )
        console.print(f"[{colour}]{finding.line()}[/]", soft_wrap=True)


def show_consolidation(result: Consolidation) -> None:
    """Print the consolidated Rekap, the files that could not be used, every finding."""
    period = f"{result.year or '-'} {result.period or ''}".strip()
    table = Table(title=f"Konsolidasi IKU {result.catalogue.office}, {period}")
    for header in (
        "IKU",
        "Bidang",
        "Realisasi",
        "Target",
        "Capaian",
        "Predikat",
        "Status",
        "Berkas",
    ):
        table.add_column(header)
    for entry in result.entries:
        r = entry.chosen.result if entry.chosen is not None else None
        table.add_row(
            str(entry.indicator.number),
            entry.indicator.division,
            format_percent(r.realisation if r else None),
            format_percent(r.target if r else None),
            format_percent(r.achievement if r else None),
            (r.predicate if r else None) or "-",
            f"[{STATUS_STYLE.get(entry.status, 'red')}]{entry.status.value}[/]",
            entry.chosen.file
            if entry.chosen
            else ", ".join(s.file for s in entry.candidates) or "-",
        )
    console.print(table)
    for entry in result.entries:
        if entry.status is Status.CONFLICT:
            conflict = Table(title=f"Konflik IKU {entry.indicator.number}")
            for header in (
                "Berkas",
                "Pengisi",
                "Tanggal",
                "Komponen",
                "Pembilang",
                "Penyebut",
                "Realisasi",
                "Target",
                "Status",
            ):
                conflict.add_column(header)
            for s in entry.candidates:
                conflict.add_row(
                    s.file,
                    s.filler or "-",
                    s.date_text,
                    components(s),
                    format_count(s.result.numerator),
                    format_count(s.result.denominator),
                    format_percent(s.result.realisation),
                    format_percent(s.result.target),
                    s.result.status.value,
                )
            console.print(conflict)
    used = sum(f.usable for f in result.files)
    console.print(f"{used} dari {len(result.files)} berkas dipakai.")
    for report in result.files:
        if not report.usable:
            label = (
                "[dim]Diabaikan[/]" if report.ignored else "[red]Tidak dapat dipakai[/]"
            )
            console.print(f"{label} {report.name}: {report.reason}", soft_wrap=True)
    for finding in result.findings:
        colour = {Severity.ERROR: "red", Severity.WARNING: "yellow"}.get(
            finding.severity, "cyan"
        )
        source = f"{finding.file}: " if finding.file else ""
        console.print(f"[{colour}]{source}{finding.line()}[/]", soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code instead of raising for every user mistake."""
    # A library object that fails while being discarded (a zip left open by a reader
    # that met a damaged file) would print a traceback; it goes to the log instead.
    sys.unraisablehook = _log_unraisable
    args = sys.argv[1:] if argv is None else argv
    if not args:
        console.print(cli.get_help(click.Context(cli, info_name="iku-xl")))
        return 0
    try:
        cli.main(args=args, prog_name="iku-xl", standalone_mode=False)
    except SystemExit as done:
        return int(done.code or 0)
    except IkuXlError as err:
        return _failed(args, f"Galat: {err}")
    except (click.exceptions.Abort, KeyboardInterrupt):
        return _failed(args, "Dibatalkan.", EXIT_INTERRUPTED)
    except click.ClickException as err:
        return _failed(
            args,
            f"Perintah tidak sah: {_indonesian(err)}\n"
            "Lihat 'iku-xl --help' untuk cara pakai.",
        )
    except Exception as err:
        log.debug("unexpected failure", exc_info=True)
        return _failed(
            args,
            f"Galat tak terduga: {type(err).__name__}: {err}. "
            "Jalankan lagi sebagai 'iku-xl -v PERINTAH ...' untuk "
            "rincian.",
        )
    return 0


def _failed(args: list[str], message: str, code: int = EXIT_UNUSABLE) -> int:
    # With --json a machine reads stdout: the failure is said there too.
    if "--json" in args:
        console.print_json(
            data={"galat": message, "kode_keluar": code}, ensure_ascii=False
        )
    errors.print(message, soft_wrap=True, markup=False)
    return code


def _log_unraisable(unraisable) -> None:
    log.debug("ignored in %r: %r", unraisable.object, unraisable.exc_value)


_CLICK_MESSAGES = (  # click's English, as far as staff meet it
    ("Got unexpected extra argument", "argumen berlebih"),
    ("Got unexpected extra arguments", "argumen berlebih"),
    ("No such command", "perintah tidak dikenal"),
    ("requires an argument", "memerlukan nilai"),
    ("is not a valid integer", "bukan bilangan bulat"),
    ("does not exist", "tidak ada"),
)


def _indonesian(err: click.ClickException) -> str:
    if isinstance(err, click.NoSuchOption):
        return f"opsi '{err.option_name}' tidak dikenal."
    if isinstance(err, click.MissingParameter):
        param = err.param
        if isinstance(param, click.Option):
            name = "/".join(param.opts)
        else:
            name = param.name.upper() if param is not None else "?"
        return f"'{name}' belum diberikan."
    text = err.format_message()
    for english, indonesian in _CLICK_MESSAGES:
        if english in text:
            return f"{indonesian}: {text}"
    return text
