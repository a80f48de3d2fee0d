"""The IKU catalogue: the indicators of one office and year, loaded from one data file.

The catalogue is data (``iku_xl/data/catalogue_2020.toml`` by default). It is
validated when loaded, and its order is meaningful: indicators in the order of the
template's sheets and of the Rekap, components in the order of each input table's rows.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, replace
from enum import Enum
from importlib import resources
from pathlib import Path

from iku_xl.errors import CatalogueError

SCHEMA_VERSION = 1
MAX_SHEET_NAME = 31
FORBIDDEN_SHEET_CHARACTERS = frozenset("[]:*?/\\")
DEFAULT_CATALOGUE = "catalogue_2020.toml"
MIN_YEAR, MAX_YEAR = 2000, 2100
CATALOGUE_KEYS = frozenset(
    {"schema", "office", "year", "main_performance", "scale", "indicator"}
)
INDICATOR_KEYS = frozenset(
    {
        "number",
        "sheet",
        "division",
        "unit",
        "name",
        "numerator",
        "denominator",
        "components",
        "direction",
    }
)
COMPONENT_KEYS = frozenset({"name", "unit"})
SCALE_KEYS = frozenset({"name", "bands"})
BAND_KEYS = frozenset({"minimum", "label"})


class Direction(Enum):
    """How a realisasi compares with its target.

    Only higher-is-better is supported yet.
    """

    HIGHER_IS_BETTER = "higher_is_better"


@dataclass(frozen=True)
class Band:
    """One band of a predikat scale: capaian (percent) at or above ``minimum``."""

    minimum: float
    label: str


@dataclass(frozen=True)
class Scale:
    """A predikat scale, its bands from the highest minimum down."""

    name: str
    bands: tuple[Band, ...]

    def predicate(self, achievement_percent: float) -> str:
        """The label of the first band whose minimum ``achievement_percent`` reaches."""
        for band in self.bands:
            if achievement_percent >= band.minimum:
                return band.label
        return self.bands[-1].label


@dataclass(frozen=True)
class Component:
    """One row of an indicator's input table: a group its numerator names."""

    name: str
    unit: str


@dataclass(frozen=True)
class Indicator:
    """One IKU: its texts, its owner Bidang, its sheet and its component rows."""

    number: int
    sheet: str
    division: str
    unit: str
    name: str
    numerator: str
    denominator: str
    components: tuple[Component, ...]
    direction: Direction = Direction.HIGHER_IS_BETTER


@dataclass(frozen=True)
class Catalogue:
    """The indicators of one office and year, and the predikat scale they use.

    ``source`` is the catalogue file's text, kept so a template can carry it.
    """

    office: str
    year: int
    main_performance: str
    scale: Scale
    indicators: tuple[Indicator, ...]
    digest: str
    source: str

    def indicator(self, number: int) -> Indicator:
        """The indicator with IKU number ``number``."""
        for indicator in self.indicators:
            if indicator.number == number:
                return indicator
        raise KeyError(number)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and validate a catalogue file.

    The packaged 2020 catalogue when ``path`` is None.

    Raises:
        CatalogueError: the file is missing, is not TOML, or breaks a rule of the
            schema.
    """
    if path is None:
        raw = resources.files("iku_xl.data").joinpath(DEFAULT_CATALOGUE).read_bytes()
        return parse_catalogue(raw, DEFAULT_CATALOGUE)
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise CatalogueError(
            f"Berkas katalog '{path}' tidak dapat dibaca: {err}"
        ) from err
    return parse_catalogue(raw, str(path))


def parse_catalogue(raw: bytes, source: str) -> Catalogue:
    """Validate the bytes of a catalogue file; ``source`` names it in error messages.

    The text is taken with Unix line endings and without a byte-order mark (Notepad
    writes both), so the same catalogue has one digest, the SHA-256 of that text, which
    identifies it in a template's manifest.
    """
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        data = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise CatalogueError(
            f"Berkas katalog '{source}' bukan TOML yang sah: {err}"
        ) from err
    catalogue = _parse(data, source)
    return replace(
        catalogue, digest=hashlib.sha256(text.encode()).hexdigest(), source=text
    )


def _parse(data: dict, source: str) -> Catalogue:
    where = f"katalog '{source}'"
    _check_keys(data, CATALOGUE_KEYS, where)
    if data.get("schema") != SCHEMA_VERSION:
        raise CatalogueError(f"{where}: 'schema' harus {SCHEMA_VERSION}.")
    indicators = tuple(
        _indicator(item, f"{where}, indikator ke-{position}")
        for position, item in enumerate(_list(data, "indicator", where), start=1)
    )
    if not indicators:
        raise CatalogueError(f"{where}: tidak ada indikator.")
    _check_unique([i.number for i in indicators], "nomor IKU", where)
    _check_unique([i.sheet.casefold() for i in indicators], "nama lembar", where)
    year = _integer(data, "year", where)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CatalogueError(f"{where}: 'year' harus antara {MIN_YEAR} dan {MAX_YEAR}.")
    return Catalogue(
        office=_text(data, "office", where),
        year=year,
        main_performance=_text(data, "main_performance", where),
        scale=_scale(_table(data, "scale", where), f"{where}, skala"),
        indicators=indicators,
        digest="",
        source="",
    )


def _indicator(item: dict, where: str) -> Indicator:
    _check_keys(item, INDICATOR_KEYS, where)
    number = _integer(item, "number", where)
    if number < 1:
        raise CatalogueError(f"{where}: 'number' harus 1 atau lebih.")
    sheet = _text(item, "sheet", where)
    if (
        len(sheet) > MAX_SHEET_NAME
        or FORBIDDEN_SHEET_CHARACTERS & set(sheet)
        or sheet.startswith("'")
        or sheet.endswith("'")
    ):
        raise CatalogueError(
            f"{where}: nama lembar '{sheet}' harus paling banyak {MAX_SHEET_NAME} "
            "karakter, tanpa karakter [ ] : * ? / \\ dan tidak diawali atau diakhiri "
            "tanda petik."
        )
    unit = _text(item, "unit", where)
    components = tuple(
        _component(component, unit, f"{where}, komponen ke-{position}")
        for position, component in enumerate(_list(item, "components", where), start=1)
    )
    if not components:
        raise CatalogueError(f"{where}: tidak ada komponen.")
    _check_unique([c.name.casefold() for c in components], "nama komponen", where)
    try:
        direction = Direction(item.get("direction", Direction.HIGHER_IS_BETTER.value))
    except ValueError as err:
        raise CatalogueError(f"{where}: 'direction' tidak dikenal.") from err
    return Indicator(
        number=number,
        sheet=sheet,
        division=_text(item, "division", where),
        unit=unit,
        name=_text(item, "name", where),
        numerator=_text(item, "numerator", where),
        denominator=_text(item, "denominator", where),
        components=components,
        direction=direction,
    )


def _component(data: dict, unit: str, where: str) -> Component:
    _check_keys(data, COMPONENT_KEYS, where)
    return Component(
        name=_text(data, "name", where),
        unit=_text(data, "unit", where) if "unit" in data else unit,
    )


def _check_keys(data: dict, allowed: frozenset[str], where: str) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise CatalogueError(
            f"{where}: kunci tidak dikenal {', '.join(map(repr, unknown))}; yang "
            f"diizinkan: {', '.join(sorted(allowed))}."
        )


def _scale(data: dict, where: str) -> Scale:
    _check_keys(data, SCALE_KEYS, where)
    bands = []
    for position, band in enumerate(_list(data, "bands", where), start=1):
        band_where = f"{where}, pita ke-{position}"
        _check_keys(band, BAND_KEYS, band_where)
        minimum = band.get("minimum")
        if isinstance(minimum, bool) or not isinstance(minimum, int | float):
            raise CatalogueError(f"{band_where}: 'minimum' harus berupa angka.")
        bands.append(
            Band(minimum=float(minimum), label=_text(band, "label", band_where))
        )
    if not bands:
        raise CatalogueError(f"{where}: tidak ada pita predikat.")
    minimums = [band.minimum for band in bands]
    if minimums != sorted(minimums, reverse=True) or len(set(minimums)) != len(
        minimums
    ):
        raise CatalogueError(
            f"{where}: pita harus urut dari minimum tertinggi ke terendah."
        )
    if minimums[-1] != 0:
        raise CatalogueError(f"{where}: pita terakhir harus bermula dari 0.")
    return Scale(name=_text(data, "name", where), bands=tuple(bands))


def _table(data: dict, key: str, where: str) -> dict:
    value = data.get(key)
    if not isinstance(value, dict):
        raise CatalogueError(f"{where}: bagian '{key}' tidak ada.")
    return value


def _list(data: dict, key: str, where: str) -> list[dict]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise CatalogueError(f"{where}: '{key}' harus berupa daftar tabel.")
    return value


def _text(data: dict, key: str, where: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        raise CatalogueError(f"{where}: '{key}' harus berupa teks yang tidak kosong.")
    return value.strip()


def _integer(data: dict, key: str, where: str) -> int:
    value = data.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CatalogueError(f"{where}: '{key}' harus berupa bilangan bulat.")
    return value


def _check_unique(values: list, what: str, where: str) -> None:
    if len(set(values)) != len(values):
        raise CatalogueError(f"{where}: {what} tidak boleh kembar.")
