"""What a file really is, told from its bytes before any workbook library opens it.

Email attachments arrive under any name: lock files, the old binary .xls, HTML or CSV
saved under an Excel extension, password-protected workbooks, damaged or hostile zips.
``sniff`` says which, with an Indonesian reason, and refuses zips whose declared sizes
or compression ratios no real workbook has (zip bombs) before anything inflates them.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import Path

import msoffcrypto
import olefile
from msoffcrypto.exceptions import DecryptionError, FileFormatError, InvalidKeyError
from msoffcrypto.format.ooxml import OOXMLFile

from iku_xl.errors import WorkbookError, describe

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm"})
MACRO_SUFFIXES = frozenset({".xlsm", ".xltm"})
# Limits that every genuine workbook of ours passes by far (a template is ~60 kB packed,
# ~300 kB inflated, ratios below 20).
MAX_ENTRIES = 5_000
MAX_INFLATED = 256 << 20  # bytes declared for all parts together
MAX_PART = 128 << 20  # bytes declared for one part
MAX_RATIO = 200  # inflated / compressed, for parts above RATIO_FROM bytes
RATIO_FROM = 1 << 20
SNIFF_BYTES = 4096
STRICT_NAMESPACE = b"http://purl.oclc.org/ooxml/spreadsheetml/main"
# XML that declares a DOCTYPE or entities is refused wherever it is parsed (defusedxml;
# calamine ignores DTDs), with this message.
UNSAFE_XML = (
    "berisi deklarasi XML (DOCTYPE/ENTITY) yang tidak pernah ada di buku kerja "
    "Excel dan dapat dipakai untuk menyerang; tidak dibuka demi keamanan."
)
LOCK_FILE_REASON = (
    "Berkas kunci sementara Excel/LibreOffice (dibuat saat buku kerja "
    "sedang dibuka), bukan buku kerja; diabaikan."
)
_LOCK_NAME = re.compile(r"^(~\$.*|\.~lock\..*#)$")


class Kind(Enum):
    """What a file is, as far as iku-xl is concerned."""

    WORKBOOK = "buku kerja"
    LOCK_FILE = "berkas kunci"
    LEGACY_XLS = "Excel 97-2003"
    ENCRYPTED = "dilindungi kata sandi"
    STRICT = "Strict Open XML"
    HTML = "HTML"
    TEXT = "teks"
    EMPTY = "kosong"
    DAMAGED = "rusak"
    UNSAFE = "berbahaya"
    OTHER = "bukan buku kerja"


@dataclass(frozen=True)
class Sniff:
    """The kind of a file, why it cannot be used (if so) and warnings about it."""

    kind: Kind
    reason: str = ""
    warnings: tuple[str, ...] = ()
    has_macros: bool = False
    encrypted: bool = False
    # The open package of a usable workbook, so that whoever loaded it need not parse
    # the zip's directory again.
    package: zipfile.ZipFile | None = field(default=None, compare=False, repr=False)

    @property
    def usable(self) -> bool:
        return self.kind is Kind.WORKBOOK


def sniff(path: Path) -> Sniff:
    """Tell what ``path`` holds from its bytes; never raises for the file's content."""
    found = _sniff(path)[0]
    if found.package is not None:
        found.package.close()
    return replace(found, package=None)


def _sniff(path: Path) -> tuple[Sniff, bytes | None]:
    """What ``path`` holds, and its bytes when it is a zip (read once, for ``load``)."""
    found = _kind(path)
    if not isinstance(found, bytes):
        return found, None
    return _zip(io.BytesIO(found), path), found


def is_lock_file(path: Path) -> bool:
    """Whether ``path`` is named as Excel's or LibreOffice's lock files are."""
    return bool(_LOCK_NAME.match(path.name))


def _kind(path: Path) -> Sniff | bytes:
    if is_lock_file(path):
        return Sniff(Kind.LOCK_FILE, LOCK_FILE_REASON)
    try:
        with path.open("rb") as handle:
            head = handle.read(SNIFF_BYTES)
    except OSError as err:
        return Sniff(Kind.OTHER, f"Berkas tidak dapat dibaca: {err.strerror or err}.")
    if not head:
        return Sniff(Kind.EMPTY, "Berkas kosong (0 byte).")
    if head.startswith(ZIP_MAGIC):
        try:
            return path.read_bytes()
        except OSError as err:
            return Sniff(
                Kind.OTHER, f"Berkas tidak dapat dibaca: {err.strerror or err}."
            )
    if head.startswith(OLE_MAGIC):
        return _ole(path)
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        return Sniff(
            Kind.HTML,
            "Berisi HTML/XML (misalnya hasil 'Simpan sebagai Halaman Web' atau "
            "unduhan dari aplikasi lain), bukan buku kerja Excel. Buka di Excel "
            "lalu simpan sebagai Buku Kerja Excel Bermakro (.xlsm).",
        )
    if _looks_like_text(head):
        return Sniff(
            Kind.TEXT,
            "Berisi teks atau CSV, bukan buku kerja Excel. Isi data pada "
            "template iku-xl (.xlsm) dari Subbagian Perencanaan.",
        )
    return Sniff(Kind.OTHER, "Bukan buku kerja Excel (.xlsx atau .xlsm).")


def load(path: Path, password: str | None = None) -> tuple[bytes, Sniff]:
    """The bytes of the workbook at ``path``, decrypted with ``password`` if it is
    protected, and what it is.

    Raises:
        WorkbookError: the file is not a usable workbook (with the reason), or the
            password is missing or wrong.
    """
    found, data = _sniff(path)
    if found.kind is Kind.ENCRYPTED and password is not None:
        return _decrypt(path, password)
    if not found.usable or data is None:
        raise WorkbookError(f"'{path.name}': {found.reason}")
    return data, found


def encrypt(data: bytes, password: str) -> bytes:
    """``data`` (an Open XML workbook) protected with ``password``."""
    protected = io.BytesIO()
    OOXMLFile(io.BytesIO(data)).encrypt(password, protected)
    return protected.getvalue()


def _decrypt(path: Path, password: str) -> tuple[bytes, Sniff]:
    plain = io.BytesIO()
    try:
        with path.open("rb") as handle:
            office = msoffcrypto.OfficeFile(handle)
            office.load_key(password=password)
            office.decrypt(plain)
    except (InvalidKeyError, DecryptionError, FileFormatError) as err:
        raise WorkbookError(
            f"Kata sandi untuk '{path.name}' salah, atau berkas tidak dapat dibuka "
            f"kuncinya ({describe(err)})."
        ) from err
    data = plain.getvalue()
    found = _zip(io.BytesIO(data), path)
    if not found.usable:
        raise WorkbookError(f"'{path.name}': {found.reason}")
    return data, replace(found, encrypted=True)


def _zip(source: io.BytesIO, path: Path) -> Sniff:
    package = None
    try:
        package = zipfile.ZipFile(source)
        entries = package.infolist()
        bomb = _bomb(entries)
        names = {entry.filename for entry in entries}
        if bomb or "xl/workbook.xml" not in names:
            package.close()
            if bomb:
                return Sniff(Kind.UNSAFE, bomb)
            return Sniff(
                Kind.OTHER,
                "Arsip zip atau dokumen Office lain, bukan buku kerja Excel.",
            )
        with package.open("xl/workbook.xml") as part:
            workbook_head = part.read(SNIFF_BYTES)
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        zlib.error,
        OSError,
        EOFError,
        KeyError,
        ValueError,
        NotImplementedError,
    ) as err:
        if package is not None:
            package.close()
        return Sniff(
            Kind.DAMAGED,
            f"Berkas rusak atau terpotong: bukan buku kerja Excel yang utuh "
            f"({describe(err)}). Minta pengirim mengirim ulang.",
        )
    if b"<!DOCTYPE" in workbook_head or b"<!ENTITY" in workbook_head:
        package.close()
        return Sniff(Kind.UNSAFE, f"Bagian 'xl/workbook.xml' {UNSAFE_XML}")
    if STRICT_NAMESPACE in workbook_head:
        package.close()
        return Sniff(
            Kind.STRICT,
            "Disimpan sebagai 'Strict Open XML Spreadsheet', yang tidak dapat "
            "dibaca. Buka di Excel lalu simpan sebagai Buku Kerja Excel "
            "Bermakro (.xlsm).",
        )
    warnings = []
    has_macros = "xl/vbaProject.bin" in names
    suffix = path.suffix.lower()
    if suffix not in WORKBOOK_SUFFIXES:
        warnings.append(
            f"Ekstensi '{path.suffix}' tidak sesuai isinya (buku kerja Excel "
            "Open XML); tetap dibaca."
        )
    elif not has_macros:
        warnings.append(
            "Disimpan tanpa makro: data tetap dibaca, tetapi tombol "
            "Hitung IKU tidak berfungsi di berkas ini."
        )
    return Sniff(
        Kind.WORKBOOK, warnings=tuple(warnings), has_macros=has_macros, package=package
    )


def _bomb(entries: list[zipfile.ZipInfo]) -> str:
    if len(entries) > MAX_ENTRIES:
        return (
            f"Arsip berisi {len(entries)} bagian; buku kerja wajar jauh lebih sedikit."
        )
    if sum(e.file_size for e in entries) > MAX_INFLATED:
        return (
            "Isi arsip yang dinyatakan terlalu besar untuk sebuah buku kerja (lebih "
            f"dari {MAX_INFLATED >> 20} MB); tidak dibuka demi keamanan."
        )
    for entry in entries:
        if entry.file_size > MAX_PART:
            return (
                f"Bagian '{entry.filename}' dinyatakan terlalu besar; tidak dibuka "
                "demi keamanan."
            )
        ratio = entry.file_size / max(entry.compress_size, 1)
        if entry.file_size > RATIO_FROM and ratio > MAX_RATIO:
            return (
                f"Bagian '{entry.filename}' dimampatkan {ratio:.0f} kali (ciri 'zip "
                "bomb'); tidak dibuka demi keamanan."
            )
    return ""


def _ole(path: Path) -> Sniff:
    try:
        with path.open("rb") as handle:
            encrypted = msoffcrypto.OfficeFile(handle).is_encrypted()
    except Exception:
        encrypted = False
    if encrypted or _has_stream(path, "EncryptionInfo"):
        return Sniff(
            Kind.ENCRYPTED,
            "Buku kerja dilindungi kata sandi. Jalankan lagi dengan --password "
            "KATA_SANDI, atau minta pengirim membuka kuncinya.",
        )
    return Sniff(
        Kind.LEGACY_XLS,
        "Format lama Excel 97-2003 (.xls) tidak didukung. Buka di Excel lalu "
        "simpan sebagai Buku Kerja Excel Bermakro (.xlsm).",
    )


def _has_stream(path: Path, name: str) -> bool:
    try:
        with olefile.OleFileIO(str(path)) as ole:
            return ole.exists(name)
    except (OSError, ValueError, olefile.olefile.NotOleFileError):
        return False


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        text = head.decode("latin-1")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable / len(text) > 0.95
