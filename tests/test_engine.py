"""The engine on plain data: validation rules and the arithmetic of IKU and capaian."""

from dataclasses import replace
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iku_xl.catalogue import Component
from iku_xl.engine import CellValue, IndicatorInput, RowInput, Status, evaluate
from iku_xl.findings import Rule, Severity


def make_input(catalogue, rows, year=2020, period="TW I", target=0.9, name="Siti"):
    # An indicator with as many components as the rows given, as its table would have.
    base = catalogue.indicator(1)
    indicator = replace(
        base,
        components=tuple(
            Component(f"Komponen {n + 1}", base.unit) for n in range(len(rows))
        ),
    )
    table = []
    for offset, row in enumerate(rows):
        excel_row = 17 + offset
        numerator, denominator = row
        table.append(
            RowInput(
                CellValue(f"A{excel_row}", f"Komponen {offset + 1}"),
                CellValue(f"B{excel_row}", numerator),
                CellValue(f"C{excel_row}", denominator),
                CellValue(f"D{excel_row}", None),
            )
        )
    return IndicatorInput(
        indicator=indicator,
        sheet=indicator.sheet,
        year=CellValue("B4", year),
        period=CellValue("B5", period),
        target=CellValue("B14", target),
        filler_name=CellValue("B6", name),
        filler_nip=CellValue("B7", None),
        filled_on=CellValue("B8", None),
        rows=tuple(table),
    )


def rules(result):
    return {f.rule for f in result.findings}


def test_iku_value_is_the_ratio_of_sums_not_the_mean_of_row_percentages(catalogue):
    result = evaluate(make_input(catalogue, [(1, 1), (0, 99)]), catalogue)
    assert result.realisation == pytest.approx(0.01)  # the mean of rows would say 50%
    assert (result.numerator, result.denominator) == (1, 100)


def test_valid_inputs_give_realisation_achievement_and_predicate(catalogue):
    result = evaluate(
        make_input(catalogue, [(120, 150), (45, 60), (8, 10), (200, 240)], target=0.85),
        catalogue,
    )
    assert result.status is Status.VALID
    assert result.realisation == pytest.approx(373 / 460)
    assert result.achievement == pytest.approx(373 / 460 / 0.85)
    assert result.predicate == "Sangat Tinggi"
    assert result.findings == ()


def test_achievement_of_9679_per_ten_thousand_is_sangat_tinggi(catalogue):
    result = evaluate(make_input(catalogue, [(8711, 10000)], target=0.9), catalogue)
    assert result.achievement == pytest.approx(0.96789, abs=1e-5)
    assert result.predicate == "Sangat Tinggi"


@pytest.mark.parametrize(
    ("capaian", "predicate"),
    [
        (91, "Sangat Tinggi"),
        (90.99, "Tinggi"),
        (76, "Tinggi"),
        (75.9, "Sedang"),
        (66, "Sedang"),
        (65, "Rendah"),
        (51, "Rendah"),
        (50.99, "Sangat Rendah"),
        (0, "Sangat Rendah"),
    ],
)
def test_predicate_bands_follow_permendagri_86_2017(catalogue, capaian, predicate):
    assert catalogue.scale.predicate(capaian) == predicate


def test_empty_table_is_not_filled_in_and_has_no_findings(catalogue):
    result = evaluate(
        make_input(catalogue, [(None, None)] * 4, year=None, period=None, target=None),
        catalogue,
    )
    assert result.status is Status.NOT_FILLED
    assert result.findings == ()


def test_empty_count_cell_is_not_zero(catalogue):
    result = evaluate(make_input(catalogue, [(5, 10), (None, 10)]), catalogue)
    assert result.status is Status.HAS_ERRORS
    assert Rule.CELL_EMPTY in rules(result)
    assert result.realisation is None


def test_row_left_empty_beside_filled_rows_is_an_error(catalogue):
    result = evaluate(make_input(catalogue, [(5, 10), (None, None)]), catalogue)
    assert Rule.ROW_NOT_FILLED in rules(result)
    assert result.status is Status.HAS_ERRORS


def test_zero_total_denominator_is_not_computable(catalogue):
    result = evaluate(make_input(catalogue, [(0, 0), (0, 0)]), catalogue)
    assert result.status is Status.NOT_COMPUTABLE
    assert result.realisation is None
    assert Rule.ZERO_DENOMINATOR in rules(result)


def test_numerator_above_denominator_in_a_row_is_an_error_naming_both_cells(catalogue):
    result = evaluate(make_input(catalogue, [(11, 10)]), catalogue)
    (finding,) = [
        f for f in result.findings if f.rule is Rule.NUMERATOR_ABOVE_DENOMINATOR
    ]
    assert finding.cell == "B17"
    assert "C17" in finding.message and "11" in finding.message


def test_missing_target_still_computes_the_value_but_not_the_achievement(catalogue):
    result = evaluate(make_input(catalogue, [(9, 10)], target=None), catalogue)
    assert result.realisation == pytest.approx(0.9)
    assert result.achievement is None
    assert Rule.TARGET_MISSING in rules(result)
    assert result.status is Status.HAS_ERRORS


@pytest.mark.parametrize("target", [0, 1.5, 90, -0.1])
def test_target_outside_zero_to_hundred_percent_is_refused(catalogue, target):
    result = evaluate(make_input(catalogue, [(9, 10)], target=target), catalogue)
    assert Rule.TARGET_OUT_OF_RANGE in rules(result)
    assert result.achievement is None


def test_target_of_90_suggests_typing_90_percent(catalogue):
    result = evaluate(make_input(catalogue, [(9, 10)], target=90), catalogue)
    (finding,) = [f for f in result.findings if f.rule is Rule.TARGET_OUT_OF_RANGE]
    assert "90%" in finding.message and finding.cell == "B14"


def test_target_typed_as_percent_text_is_read_with_a_note(catalogue):
    result = evaluate(make_input(catalogue, [(9, 10)], target="90%"), catalogue)
    assert result.target == pytest.approx(0.9)
    assert result.status is Status.VALID
    assert Rule.TEXT_CONVERTED in rules(result)


def test_missing_year_and_period_are_errors(catalogue):
    result = evaluate(
        make_input(catalogue, [(9, 10)], year=None, period=None), catalogue
    )
    assert {Rule.YEAR_MISSING, Rule.PERIOD_MISSING} <= rules(result)
    assert result.status is Status.HAS_ERRORS


def test_year_of_another_template_is_an_error(catalogue):
    result = evaluate(make_input(catalogue, [(9, 10)], year=2021), catalogue)
    assert Rule.YEAR_INVALID in rules(result)


@pytest.mark.parametrize("period", ["tw i", " TW  II ", "TAHUNAN"])
def test_period_is_matched_ignoring_case_and_spacing(catalogue, period):
    result = evaluate(make_input(catalogue, [(9, 10)], period=period), catalogue)
    assert result.period in {"TW I", "TW II", "Tahunan"}
    assert Rule.PERIOD_INVALID not in rules(result)


def test_missing_filler_name_is_only_a_warning(catalogue):
    result = evaluate(make_input(catalogue, [(9, 10)], name=None), catalogue)
    assert result.status is Status.VALID
    assert [f.severity for f in result.findings] == [Severity.WARNING]


def test_every_message_names_sheet_cell_and_value(catalogue):
    result = evaluate(make_input(catalogue, [("abc", 10)]), catalogue)
    (finding,) = result.errors
    assert finding.sheet in finding.message
    assert "B17" in finding.message
    assert '"abc"' in finding.message
    assert "bilangan bulat 0 atau lebih" in finding.message


counts = st.lists(
    st.tuples(st.integers(0, 10**6), st.integers(0, 10**6)).map(sorted).map(tuple),
    min_size=1,
    max_size=8,
)


@given(rows=counts)
def test_valid_rows_give_exactly_the_ratio_of_sums(catalogue, rows):
    result = evaluate(make_input(catalogue, rows), catalogue)
    numerator = sum(r[0] for r in rows)
    denominator = sum(r[1] for r in rows)
    if denominator == 0:
        assert result.status is Status.NOT_COMPUTABLE
    else:
        assert result.status is Status.VALID
        assert result.realisation == float(Fraction(numerator, denominator))
        assert 0 <= result.realisation <= 1


@given(rows=counts, numerator=st.integers(1, 10**6))
def test_any_row_with_numerator_above_denominator_makes_the_iku_invalid(
    catalogue, rows, numerator
):
    bad = (rows[0][1] + numerator, rows[0][1])
    result = evaluate(make_input(catalogue, [bad, *rows[1:]]), catalogue)
    assert result.status is Status.HAS_ERRORS
    assert result.realisation is None


def test_table_with_fewer_rows_than_components_is_an_error(catalogue):
    inputs = make_input(catalogue, [(1, 2), (3, 4)])
    short = replace(inputs, indicator=catalogue.indicator(1))  # 4 components
    result = evaluate(short, catalogue)
    assert Rule.ROWS_MISSING in rules(result)
    assert result.status is Status.HAS_ERRORS


def test_predicate_follows_the_capaian_as_shown(catalogue):
    result = evaluate(make_input(catalogue, [(90996, 100000)], target=1), catalogue)
    assert round(result.achievement * 100, 2) == 91.0
    assert result.predicate == "Sangat Tinggi"


def test_implausibly_small_target_is_a_warning(catalogue):
    result = evaluate(make_input(catalogue, [(9, 10)], target=0.0085), catalogue)
    assert Rule.TARGET_IMPLAUSIBLE in rules(result)
    assert result.status is Status.VALID
