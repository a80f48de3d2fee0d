"""Atomic replacement of a file: write beside it, then swap it in one step."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from iku_xl.errors import OutputError, describe_os_error


def write_atomically(target: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write`` on a temporary file in ``target``'s folder, then rename it to
    ``target``. On any failure no temporary file is left and ``target`` is untouched.

    Raises:
        OutputError: the folder or the target cannot be written.
    """
    # A link is followed, so the file it points at is replaced, not the link.
    target = target.resolve() if target.is_symlink() else target
    folder = target.parent if str(target.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(
            prefix=".iku-xl-", suffix=target.suffix, dir=folder
        )
    except OSError as err:
        raise OutputError(
            f"Tidak dapat menulis ke folder '{folder}': {describe_os_error(err)}."
        ) from err
    os.close(handle)
    try:
        write(Path(temporary))
        os.chmod(temporary, _mode_for(target))
        os.replace(temporary, target)
    except OSError as err:
        raise OutputError(
            f"Tidak dapat menulis '{target}': {describe_os_error(err)}."
        ) from err
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return target


def _mode_for(target: Path) -> int:
    # The replaced file keeps its permissions; a new one gets what open() would give
    # it, not mkstemp's owner-only 0600.
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
