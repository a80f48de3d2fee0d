"""Rebuild workbook_template.xlsm and konsolidasi_template.xlsm from the catalogue
(default: the packaged 2020 one):

    .venv/bin/python scripts/build_template.py [KATALOG.toml]

Run it after any change to the catalogue, the contract, the layout or the xlwings pin,
and commit the result; tests/test_template.py fails while a committed file is stale.
"""

import sys

from iku_xl.cli import main

if __name__ == "__main__":
    catalogue = ["--katalog", sys.argv[1]] if len(sys.argv) > 1 else []
    code = main(["template", "--timpa", *catalogue])
    sys.exit(code or main(["template", "--konsolidasi", "--timpa", *catalogue]))
