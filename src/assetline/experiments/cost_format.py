"""How the cost report's figures read for people (the CLI tables and the web page use the same wording)."""

from __future__ import annotations


def money(value: float | None, currency: str = "") -> str:
    """'0.2638', '1,234.50', with the currency code when given; '—' for no value."""
    if value is None:
        return "—"
    text = f"{value:,.4f}" if abs(value) < 100 else f"{value:,.2f}"
    return f"{text} {currency}" if currency else text


def duration(seconds: float | None) -> str:
    """'42.1 s', '12.5 min', '3.2 h', '2.4 days'; '—' for no value."""
    if seconds is None:
        return "—"
    if seconds < 60:
        return f"{seconds:.1f} s"
    if seconds < 3600:
        return f"{seconds / 60:.1f} min"
    if seconds < 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def percent(value: float | None) -> str:
    """A 0..1 share as '87.5%'; '—' for no value."""
    return "—" if value is None else f"{value:.1%}"


def minutes(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f} min"


def seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f} s"
