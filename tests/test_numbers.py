"""The number reader: Indonesian separators read right, ambiguity refused, never
misread."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iku_xl.formatting import format_count, format_percent
from iku_xl.numbers import MAX_COUNT, Problem, read_count, read_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234", 1234),
        ("12.345.678", 12345678),
        ("1 234", 1234),
        ("1\u00a0234", 1234),
        ("1\u202f234", 1234),
        (" 42 ", 42),
        ("'17", 17),
        ("0", 0),
    ],
)
def test_count_typed_as_text_is_read_by_indonesian_rules(text, expected):
    reading = read_count(text)
    assert reading.number == expected
    assert reading.coercion


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1,234", Problem.NOT_WHOLE),  # a decimal comma: 1,234 is not a whole count
        ("1.234,5", Problem.NOT_WHOLE),
        ("12.5", Problem.NOT_WHOLE),
        ("1,234.5", Problem.NOT_A_NUMBER),  # English grouping: refused, not guessed
        ("1..2", Problem.NOT_A_NUMBER),
        ("12a", Problem.NOT_A_NUMBER),
        ("-5", Problem.NEGATIVE),
        ("\u22125", Problem.NEGATIVE),  # the typographic minus sign is a minus too
        ("#DIV/0!", Problem.ERROR_VALUE),
        ("", Problem.EMPTY),
        ("   ", Problem.EMPTY),
    ],
)
def test_count_text_that_cannot_be_read_unambiguously_is_refused(text, problem):
    reading = read_count(text)
    assert reading.number is None
    assert reading.problem is problem


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (None, Problem.EMPTY),
        (True, Problem.BOOLEAN),
        (dt.datetime(2020, 1, 5), Problem.DATE),
        (2.5, Problem.NOT_WHOLE),
        (-1, Problem.NEGATIVE),
        (MAX_COUNT + 1, Problem.TOO_LARGE),
        (float("nan"), Problem.NOT_A_NUMBER),
    ],
)
def test_count_cell_of_wrong_kind_is_refused(value, problem):
    assert read_count(value).problem is problem


def test_whole_float_from_excel_is_a_count_without_coercion():
    reading = read_count(460.0)
    assert reading.number == 460
    assert reading.coercion is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("90%", "0.9"), ("87,5 %", "0.875"), ("12,5%", "0.125"), ("0,9", "0.9")],
)
def test_percent_text_is_read_as_a_fraction(text, expected):
    assert read_number(text).number == Decimal(expected)


@given(st.integers(min_value=0, max_value=MAX_COUNT))
def test_any_count_written_the_indonesian_way_reads_back_exactly(number):
    assert read_count(format_count(number)).number == number


@given(st.integers(min_value=0, max_value=MAX_COUNT))
def test_any_count_as_plain_text_or_number_reads_back_exactly(number):
    assert read_count(str(number)).number == number
    assert read_count(float(number)).number == number


@given(st.text(alphabet="0123456789.,-% '", max_size=12))
def test_any_text_is_either_read_or_refused_never_raises(text):
    reading = read_number(text)
    assert (reading.number is None) == (reading.problem is not None)


def test_percent_is_formatted_with_a_decimal_comma():
    assert format_percent(0.8711) == "87,11%"
    assert format_percent(None) == "-"


def test_count_with_a_percent_sign_is_refused():
    assert read_count("100%").problem is Problem.PERCENT


def test_group_of_thousands_never_starts_with_zero():
    assert read_number("0.900").number == Decimal("0.9")
    assert read_count("0.900").problem is Problem.NOT_WHOLE
