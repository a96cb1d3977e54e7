"""Times are stored in UTC and shown in Europe/London."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")
# The days a person may type (issue 14): wide enough for any arrangement, far enough from date.max that adding
# a day or a year never overflows.
FIRST_DAY, LAST_DAY = date(1990, 1, 1), date(2999, 12, 31)


def sensible_day(day):
    return day is not None and FIRST_DAY <= (day.date() if isinstance(day, datetime) else day) <= LAST_DAY


def utcnow():
    """Naive UTC: what every DateTime column holds (the same on SQLite and PostgreSQL)."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_london(value):
    if value is None:
        return None
    if isinstance(value, str):  # an ISO 8601 instant, as the "what we hold about you" download writes them
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(LONDON)


def format_london(value, with_time=True):
    local = to_london(value)
    if local is None:
        return ""
    day = f"{local.day} {local:%B %Y}"
    if not with_time:
        return day
    hour = local.hour % 12 or 12
    return f"{day}, {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"
