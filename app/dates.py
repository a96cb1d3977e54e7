"""Reading a day from a GET form the way the rest of the portal asks for one: GOV.UK date fields (day, month, year).

`day_from(args, name)` reads `<name>-day`, `<name>-month` and `<name>-year`; a link may also carry the day as one
value `<name>=2026-04-01` (or as a person types it, "1 4 2026" or "1/4/2026"). It returns (date or None, error or
None): an error says in words what to fix, and nothing typed is ever silently ignored.
"""
import re
from datetime import date

EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)


def _from_parts(day, month, year, label):
    if not (day or month or year):
        return None, None
    if not (day and month and year):
        missing = [part for part, value in (("day", day), ("month", month), ("year", year)) if not value]
        return None, f"{label} must include a {' and a '.join(missing)}"
    if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
        return None, f"{label} must be a real date, like 1 4 2026"
    try:
        value = date(int(year), int(month), int(day))
    except ValueError:
        return None, f"{label} must be a real date, like 1 4 2026"
    if not EARLIEST <= value <= LATEST:
        return None, f"{label} must be between 2000 and 2099"
    return value, None


def parse_day(text, label="The date"):
    """One typed day: 2026-04-01, 1 4 2026, 1/4/2026 or 1-4-2026."""
    text = (text or "").strip()
    if not text:
        return None, None
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if iso:
        return _from_parts(iso.group(3), iso.group(2), iso.group(1), label)
    parts = re.split(r"[\s/.\-]+", text)
    if len(parts) == 3:
        return _from_parts(*parts, label)
    return None, f"{label} must be a real date, like 1 4 2026"


def day_from(args, name, label="The date"):
    """(date or None, error or None) from GOV.UK date fields `<name>-day/-month/-year`, or one value `<name>`."""
    parts = [(args.get(f"{name}-{part}") or "").strip() for part in ("day", "month", "year")]
    if any(parts):
        return _from_parts(*parts, label)
    return parse_day(args.get(name), label)


def date_fields(name, value, raw=None):
    """The values to show in GOV.UK date fields: what was typed if it was wrong, else the date's parts."""
    if raw and any(raw.get(f"{name}-{part}") for part in ("day", "month", "year")):
        return {part: raw.get(f"{name}-{part}", "") for part in ("day", "month", "year")}
    if value is None:
        return {"day": "", "month": "", "year": ""}
    return {"day": str(value.day), "month": str(value.month), "year": str(value.year)}
