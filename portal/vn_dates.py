"""Dates as Vietnamese administrative papers write them (Decree 30/2020/NĐ-CP, Appendix I):
"ngày 05 tháng 02 năm 2026", "ngày 20 tháng 11 năm 2026" — days below 10 and the months
January and February take a leading zero; other months do not."""

import datetime as dt

from django.utils import timezone


def long_date(value) -> str:
    """``value`` (a date, an aware datetime, or an ISO date string) in words; "" when empty or unreadable."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value  # not a date after all: shown as typed
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"
