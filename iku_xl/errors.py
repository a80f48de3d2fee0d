"""The exceptions iku-xl raises for structural failures.

Problems in cells are never raised: they become findings (see ``iku_xl.findings``).
What raises is what stops a whole run: a catalogue that cannot be used, a workbook that
is not ours or cannot be opened, an output that cannot be written.
"""

import errno
import zipfile
import zlib


class IkuXlError(Exception):
    """Base of every error iku-xl raises; its message is Indonesian, for staff."""


class CatalogueError(IkuXlError):
    """The IKU catalogue file is missing, malformed or inconsistent."""


class WorkbookError(IkuXlError):
    """A workbook cannot be used: unreadable, damaged, or not an iku-xl template."""


class OutputError(IkuXlError):
    """A result cannot be written to the requested place."""


class SelectionError(IkuXlError):
    """Consolidation was asked for an impossible or ambiguous selection of periods."""


class ContractError(WorkbookError):
    """A defined name or table of the workbook contract is missing or points nowhere."""


def describe_os_error(err: OSError) -> str:
    """What went wrong with a file, in Indonesian, for a message to staff."""
    return {
        errno.ENOENT: "folder atau berkas tidak ada",
        errno.EACCES: "tidak ada izin (atau berkas sedang dibuka program lain)",
        errno.EPERM: "tidak ada izin (atau berkas sedang dibuka program lain)",
        errno.EISDIR: "itu sebuah folder",
        errno.ENOTDIR: "bagian dari lokasinya bukan folder",
        errno.ENOSPC: "disk penuh",
        errno.EEXIST: "sudah ada",
        errno.EROFS: "disk hanya-baca",
    }.get(err.errno, err.strerror or type(err).__name__)


def describe(err: BaseException) -> str:
    """A short name for a library's error, for the end of a message to staff."""
    if isinstance(err, zlib.error):
        return "data terkompresi rusak"
    if isinstance(err, zipfile.BadZipFile):
        return "arsip zip rusak"
    return type(err).__name__
