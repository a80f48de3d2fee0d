"""Benchmark of `iku-xl konsolidasi`, against baselines measured in the same run.

Generates N filled workbooks (default 500; a few distinct filled workbooks, copied) and
prints:
- the consolidation's time (run_consolidation: intake, merge, Rekap), in its own
  process;
- the floor: python-calamine reading every sheet of every file, nothing else;
- a naive baseline: pandas.read_excel(sheet_name=None) per file (with openpyxl, pandas'
  default engine), timed on a sample of files (--naive-sample, default 100) and scaled
  to N;
- the two ratios (targets: consolidation <= 3x the floor; naive >= 10x consolidation);
- the peak memory of the consolidation's process tree (target: < 400 MB at N = 2000);
- the consolidation's time per file at N/4 and at N, to show linear growth.

    .venv/bin/python scripts/bench_konsolidasi.py [--n 500] [--naive-sample 100]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iku_xl.workbook_file import hitung_file  # noqa: E402
from tests.workbooks import fill, valid_inputs  # noqa: E402

DISTINCT = 8
FLOOR_TARGET, NAIVE_TARGET, MEMORY_TARGET_MB = 3.0, 10.0, 400
POLL_SECONDS = 0.02
CONSOLIDATE = (
    "import sys, time, json; from pathlib import Path;"
    "from iku_xl.catalogue import load_catalogue;"
    "from iku_xl.konsolidasi import Options, run_consolidation;"
    "c = load_catalogue(); start = time.perf_counter();"
    "r = run_consolidation([Path(sys.argv[1])], Path(sys.argv[2]), c,"
    " Options(take_latest=True));"
    "print(json.dumps({'seconds': time.perf_counter() - start, 'files': len(r.files)}))"
)


def generate(folder: Path, count: int) -> list[Path]:
    """``count`` filled, computed workbooks: DISTINCT different ones, copied round."""
    folder.mkdir(parents=True, exist_ok=True)
    originals = []
    for variant in range(DISTINCT):
        path = folder / f"asli_{variant}.xlsm"
        shutil.copy(ROOT / "workbook_template.xlsm", path)
        number = variant % 4 + 1
        rows = [(10 + variant, 20 + variant)] * 4
        fill(path, {number: valid_inputs(number, rows)})
        hitung_file(path)
        originals.append(path)
    files = []
    for index in range(count):
        target = folder / f"bidang_{index:05}.xlsm"
        shutil.copy(originals[index % DISTINCT], target)
        files.append(target)
    for path in originals:
        path.unlink()
    return files


def floor_seconds(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        book = CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
    return time.perf_counter() - start


def naive_seconds(files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        pd.read_excel(path, sheet_name=None, engine="openpyxl")
    return time.perf_counter() - start


def consolidate(folder: Path, output: Path) -> tuple[float, float]:
    """Seconds the consolidation took and the peak MB of its process tree."""
    process = subprocess.Popen(
        [sys.executable, "-c", CONSOLIDATE, str(folder), str(output)],
        stdout=subprocess.PIPE,
        text=True,
    )
    peak = [0]
    watcher = threading.Thread(target=_watch_memory, args=(process, peak), daemon=True)
    watcher.start()
    out, _ = process.communicate()
    watcher.join()
    if process.returncode != 0:
        raise SystemExit(f"consolidation failed with exit code {process.returncode}")
    return json.loads(out.splitlines()[-1])["seconds"], peak[0] / 1024


def _watch_memory(process: subprocess.Popen, peak: list[int]) -> None:
    # Sum the resident memory (kB) of the process and all its descendants, from /proc.
    while process.poll() is None:
        peak[0] = max(peak[0], _tree_rss(process.pid))
        time.sleep(POLL_SECONDS)


def _tree_rss(pid: int) -> int:
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            children = Path(f"/proc/{current}/task/{current}/children").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
        stack += [int(c) for c in children.split()]
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark of iku-xl konsolidasi.")
    parser.add_argument("--n", type=int, default=500)
    parser.add_argument("--naive-sample", type=int, default=100)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        quarter = root / "quarter"
        files = generate(root / "all", args.n)
        generate(quarter, max(1, args.n // 4))

        floor = floor_seconds(files)
        sample = files[: min(len(files), args.naive_sample)]
        naive = naive_seconds(sample) * len(files) / len(sample)
        seconds, peak_mb = consolidate(root / "all", root / "rekap.xlsx")
        quarter_seconds, _ = consolidate(quarter, root / "rekap_q.xlsx")

    n_quarter = max(1, args.n // 4)
    print(f"files              {args.n} ({os.cpu_count()} CPUs)")
    print(f"consolidation      {seconds:8.2f} s")
    print(
        f"floor (calamine)   {floor:8.2f} s   ratio {seconds / floor:5.2f} "
        f"(target <= {FLOOR_TARGET})"
    )
    print(
        f"naive (pandas)     {naive:8.2f} s   ratio {naive / seconds:5.1f}x slower "
        f"(target >= {NAIVE_TARGET}x; timed on {len(sample)} files, scaled)"
    )
    print(
        f"peak memory        {peak_mb:8.1f} MB (target < {MEMORY_TARGET_MB} MB at "
        "N = 2000)"
    )
    print(
        f"per file           {quarter_seconds / n_quarter * 1000:6.2f} ms at N = "
        f"{n_quarter}; {seconds / args.n * 1000:6.2f} ms at N = {args.n}"
    )
    met = seconds <= FLOOR_TARGET * floor and naive >= NAIVE_TARGET * seconds
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
