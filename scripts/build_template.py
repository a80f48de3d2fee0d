"""Rebuild workbook_template.xlsm from the catalogue (default: the packaged 2020 one).

    .venv/bin/python scripts/build_template.py [KATALOG.toml] \\
        [-o workbook_template.xlsm]

Run it after any change to the catalogue, the contract, the layout or the xlwings pin,
and commit the result; tests/test_template.py fails while the committed file is stale.
"""

import sys

from iku_xl.cli import main

if __name__ == "__main__":
    args = sys.argv[1:]
    catalogue = (
        [] if not args or args[0].startswith("-") else ["--katalog", args.pop(0)]
    )
    sys.exit(main(["template", *catalogue, *args]))
