"""The `iku-xl` console script: the CLI, and a Ctrl-C while it is still starting up
(importing pandas takes a second) ending with a word, not a traceback."""

import sys


def run() -> None:
    """Start the CLI and exit with its code."""
    try:
        from iku_xl.cli import main

        code = main()
    except KeyboardInterrupt:
        print("Dibatalkan.", file=sys.stderr)
        code = 130
    sys.exit(code)
