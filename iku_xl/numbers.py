"""The one reader of numbers typed by staff: cell values in, exact numbers or a refusal
out.

Staff work with Indonesian regional settings: a dot groups thousands and a comma starts
the decimals. Text cells are read by those rules and every conversion is recorded, so
that "1.234" is one thousand two hundred and thirty-four and nothing is ever silently
misread: what cannot be read unambiguously is refused with a reason.

The rules for text:

- spaces around the text, a leading apostrophe and non-breaking or narrow spaces are
  ignored; a space between groups of three digits groups thousands;
- a dot followed by exactly three digits groups thousands ("1.234", "12.345.678"),
  unless the first group is 0 ("0.900" is nought point nine);
- a comma is the decimal separator ("12,5", "1.234,5");
- a dot followed by other than three digits is read as an English decimal point
  ("12.5"), and the conversion says so;
- a trailing "%" (with or without a space) divides by a hundred; a count is never a
  percentage, so a count with "%" is refused;
- anything else ("1,234.5", "12a", "1..2") is not a number.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum

# The largest count accepted: Kabupaten Malang has about 2.7 million residents, so a
# count above a hundred million is a typing mistake, not data.
MAX_COUNT = 100_000_000

EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)
IGNORED_SPACES = "\u00a0\u202f\u2007\u2009"
MINUS_SIGNS = "-\u2212"

_PLAIN = re.compile(r"\d+")
# A group of thousands never starts with 0: "0.900" is not nine hundred.
_DOT_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+")
_SPACE_THOUSANDS = re.compile(r"[1-9]\d{0,2}(?: \d{3})+")
_COMMA_DECIMAL = re.compile(r"(?:\d+|[1-9]\d{0,2}(?:\.\d{3})+),\d+")
_DOT_DECIMAL = re.compile(r"\d+\.\d+")


class Problem(Enum):
    """Why a cell value could not be read as the number asked for."""

    EMPTY = "kosong"
    NOT_A_NUMBER = "bukan angka"
    ERROR_VALUE = "nilai galat Excel"
    BOOLEAN = "nilai logika"
    DATE = "tanggal"
    NOT_WHOLE = "tidak bulat"
    NEGATIVE = "negatif"
    TOO_LARGE = "terlalu besar"
    PERCENT = "persentase"


@dataclass(frozen=True)
class Reading:
    """What one cell value was read as.

    ``number`` is None exactly when ``problem`` is set. ``coercion`` describes, in
    Indonesian, any conversion made from text; it is None for a cell that held a number.
    """

    number: Decimal | None
    problem: Problem | None = None
    coercion: str | None = None
    percent: bool = False

    @property
    def is_empty(self) -> bool:
        return self.problem is Problem.EMPTY


def is_blank(value: object) -> bool:
    """True for a cell that holds nothing: None, or text of spaces only."""
    return value is None or (isinstance(value, str) and not _clean(value))


def read_number(value: object) -> Reading:
    """Read any cell value as an exact number, by the rules in this module's
    docstring."""
    if is_blank(value):
        return Reading(None, Problem.EMPTY)
    if isinstance(value, bool):
        return Reading(None, Problem.BOOLEAN)
    if isinstance(value, dt.date | dt.time | dt.datetime | dt.timedelta):
        return Reading(None, Problem.DATE)
    if isinstance(value, int):
        return Reading(Decimal(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            return Reading(None, Problem.NOT_A_NUMBER)
        return Reading(Decimal(repr(value)))
    if isinstance(value, str):
        return _read_text(value)
    return Reading(None, Problem.NOT_A_NUMBER)


def read_count(value: object) -> Reading:
    """Read a count: a whole number from 0 to ``MAX_COUNT``."""
    reading = read_number(value)
    if reading.number is None:
        return reading
    if reading.percent:
        return Reading(None, Problem.PERCENT, reading.coercion)
    if reading.number != reading.number.to_integral_value():
        return Reading(None, Problem.NOT_WHOLE, reading.coercion)
    if reading.number < 0:
        return Reading(None, Problem.NEGATIVE, reading.coercion)
    if reading.number > MAX_COUNT:
        return Reading(None, Problem.TOO_LARGE, reading.coercion)
    return reading


def _read_text(value: str) -> Reading:
    text = _clean(value)
    if text.upper() in EXCEL_ERRORS:
        return Reading(None, Problem.ERROR_VALUE)
    notes = ["teks dibaca sebagai angka"]
    if text.startswith("'"):
        text = text[1:].strip()

    percent = text.endswith("%")
    if percent:
        text = text[:-1].rstrip()
    negative = text[:1] in MINUS_SIGNS
    if negative or text.startswith("+"):
        text = text[1:].lstrip()

    number = _digits(text, notes)
    if number is None:
        return Reading(None, Problem.NOT_A_NUMBER)
    if percent:
        number /= 100
        notes.append("tanda % berarti dibagi 100")
    return Reading(
        -number if negative else number, coercion="; ".join(notes), percent=percent
    )


def _digits(text: str, notes: list[str]) -> Decimal | None:
    if _PLAIN.fullmatch(text):
        return Decimal(text)
    if _DOT_THOUSANDS.fullmatch(text):
        notes.append("titik dibaca sebagai pemisah ribuan")
        return Decimal(text.replace(".", ""))
    if _SPACE_THOUSANDS.fullmatch(text):
        notes.append("spasi dibaca sebagai pemisah ribuan")
        return Decimal(text.replace(" ", ""))
    if _COMMA_DECIMAL.fullmatch(text):
        notes.append("koma dibaca sebagai tanda desimal")
        return Decimal(text.replace(".", "").replace(",", "."))
    if _DOT_DECIMAL.fullmatch(text):
        notes.append("titik dibaca sebagai tanda desimal (gaya Inggris)")
        try:
            return Decimal(text)
        except InvalidOperation:
            return None
    return None


def _clean(value: str) -> str:
    for space in IGNORED_SPACES:
        value = value.replace(space, " ")
    return " ".join(value.split())
