"""Random mutations of a filled workbook (cells, XML, zip bytes) never end in a
traceback or a hang: always a message and an exit code."""

import contextlib
import io
import random
import shutil
import zipfile

import pytest

from iku_xl.cli import main
from iku_xl.sandbox import Failure, run_isolated
from tests import messy
from tests.workbooks import fill, valid_inputs

MUTANTS = 12  # per kind of mutation
TIMEOUT = 60  # seconds any one run may take before it counts as a hang
ALPHABET = "0123456789.,-% '=#AaZz\u00a0"


def run_cli(args: list[str]) -> tuple[int, str]:
    """The CLI in a worker: its exit code and everything it printed."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue() + err.getvalue()


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    mutated = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        mutated[rng.randrange(len(mutated))] = rng.randrange(256)
    return bytes(mutated)


def mutate_xml(source, target, rng: random.Random) -> None:
    with zipfile.ZipFile(source) as package:
        parts = [i for i in package.infolist() if i.filename.endswith(".xml")]
        chosen = rng.choice(parts).filename

        def edit(name, data):
            if name != chosen:
                return data
            start = rng.randrange(len(data))
            end = min(len(data), start + rng.randint(1, 200))
            action = rng.choice(("delete", "duplicate", "garbage"))
            if action == "delete":
                return data[:start] + data[end:]
            if action == "duplicate":
                return data[:end] + data[start:end] + data[end:]
            return (
                data[:start]
                + bytes(rng.randrange(32, 127) for _ in range(20))
                + data[end:]
            )

    messy.rewrite(source, target, edit)


def random_cell(rng: random.Random):
    return rng.choice(
        [
            None,
            rng.randint(-10, 10**7),
            rng.random() * 1000,
            "".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 12))),
        ]
    )


@pytest.fixture(scope="module")
def mutants(tmp_path_factory, built_template):
    folder = tmp_path_factory.mktemp("fuzz") / "masuk"
    folder.mkdir()
    good = messy.base(built_template, folder.parent / "baik.xlsm")
    rng = random.Random(20261203)
    for n in range(MUTANTS):
        (folder / f"bytes_{n}.xlsm").write_bytes(flip_bytes(good.read_bytes(), rng))
        mutate_xml(good, folder / f"xml_{n}.xlsm", rng)
        cells = folder / f"cells_{n}.xlsm"
        shutil.copy(built_template, cells)
        rows = [(random_cell(rng), random_cell(rng)) for _ in range(4)]
        fill(
            cells,
            {
                1: {
                    **valid_inputs(1, rows),
                    "target": random_cell(rng),
                    "year": random_cell(rng),
                }
            },
        )
    return folder


def test_hitung_on_every_mutant_ends_with_a_message_and_an_exit_code(mutants, tmp_path):
    files = sorted(mutants.iterdir())
    jobs = [["hitung", str(f), "-o", str(tmp_path / f"hasil_{f.name}")] for f in files]
    results = dict(run_isolated(run_cli, jobs, timeout=TIMEOUT))
    assert len(results) == len(files)
    for index, result in results.items():
        assert not isinstance(result, Failure), (files[index].name, result)
        code, output = result
        assert code in (0, 1, 2), (files[index].name, output)
        assert output.strip(), files[index].name
        assert "Traceback" not in output, (files[index].name, output)


def test_konsolidasi_of_all_mutants_finishes_and_lists_each(mutants, tmp_path):
    # Consolidation isolates every file itself (with a time limit per file).
    before = {p.name: p.read_bytes() for p in mutants.iterdir()}
    code, output = run_cli(
        ["konsolidasi", str(mutants), "-o", str(tmp_path / "r.xlsx")]
    )
    assert code in (1, 2) and "Traceback" not in output
    assert f"dari {len(before)} berkas dipakai" in output
    assert {p.name: p.read_bytes() for p in mutants.iterdir()} == before
