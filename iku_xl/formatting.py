"""Numbers written the Indonesian way, for messages and the terminal."""

from __future__ import annotations

from decimal import Decimal


def format_percent(fraction: float | None, places: int = 2) -> str:
    """0.8711 as '87,11%'; None as '-'."""
    if fraction is None:
        return "-"
    return f"{fraction * 100:,.{places}f}".translate(_SWAP) + "%"


def format_count(number: int | Decimal | None) -> str:
    """1234 as '1.234'; None as '-'."""
    if number is None:
        return "-"
    return f"{int(number):,}".translate(_SWAP)


_SWAP = str.maketrans({",": ".", ".": ","})
