"""Benchmark of Hitung IKU through xlwings' remote engine, measured against a baseline
in the same run.

Prints:
- the median whole-process time of one Hitung on a full-template payload (a Python
  process that loads the payload, makes the remote-engine Book and runs
  iku_xl.excel.hitung), as a ratio to the median of `python -c "import xlwings"`
  (target: 1.3 or less);
- the number of recorded xlwings actions for 5 and for 500 component rows (must be
  equal).

    .venv/bin/python scripts/bench_hitung.py [--runs 9]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from iku_xl.catalogue import load_catalogue  # noqa: E402
from iku_xl.excel import hitung  # noqa: E402
from iku_xl.template import build_template  # noqa: E402
from tests.remote import payload_from_file, remote_book  # noqa: E402
from tests.workbooks import catalogue_with_rows, fill, valid_inputs  # noqa: E402

TARGET_RATIO = 1.3
HITUNG_PROCESS = (
    "import json, sys, xlwings as xw, iku_xl.excel as e;"
    "book = xw.Book(json=json.load(open(sys.argv[1])));"
    "assert e.hitung(book) is not None"
)


def median_seconds(command: list[str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def full_payload(folder: Path) -> Path:
    path = build_template(load_catalogue(), folder / "full.xlsm")
    rows = {
        1: [(120, 150), (45, 60), (8, 10), (200, 240)],
        2: [(900, 1200), (650, 1000), (300, 400), (120, 200)],
        3: [(1500, 1600), (300, 350), (2500, 2800)],
        4: [(150, 250), (80, 150), (20, 40), (12, 15)],
    }
    fill(path, {n: valid_inputs(n, r) for n, r in rows.items()})
    target = folder / "payload.json"
    target.write_text(json.dumps(payload_from_file(path)))
    return target


def actions_for(rows: int, folder: Path) -> int:
    path = build_template(
        load_catalogue(catalogue_with_rows(rows, folder)), folder / f"rows{rows}.xlsm"
    )
    fill(path, {1: valid_inputs(1, [(1, 2)] * rows)})
    book = remote_book(path)
    hitung(book)
    return len(book.json()["actions"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        payload = full_payload(folder)
        python = sys.executable
        baseline = median_seconds([python, "-c", "import xlwings"], args.runs)
        measured = median_seconds(
            [python, "-c", HITUNG_PROCESS, str(payload)], args.runs
        )
        ratio = measured / baseline
        print(
            f"baseline  python -c 'import xlwings': {baseline * 1000:8.1f} ms (median)"
        )
        print(
            f"hitung    whole process, full payload: {measured * 1000:8.1f} ms (median)"
        )
        print(f"ratio     {ratio:.2f} (target <= {TARGET_RATIO})")

        five, five_hundred = actions_for(5, folder), actions_for(500, folder)
        print(
            f"actions   5 rows: {five}; 500 rows: {five_hundred} "
            f"({'equal' if five == five_hundred else 'NOT equal'})"
        )
    return 0 if ratio <= TARGET_RATIO and five == five_hundred else 1


if __name__ == "__main__":
    sys.exit(main())
