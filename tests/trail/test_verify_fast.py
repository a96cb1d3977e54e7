"""verify_database() builds each entry's canonical text from the stored columns (fast); it must judge every row
exactly as the reference check over iter_entries() does."""
import pytest
from sqlalchemy import text

from app.database import transaction
from app.trail import services as trail
from app.trail.verify_log import ChainError, verify_entries


def _append(n):
    for i in range(n):
        with transaction():
            trail.append("test.event", f"thing:{i}", {"n": i, "é": "naïve “quotes” \\ \"", "list": [1, None, True]},
                         actor=i or None)


def _change_row(db, column, value):
    with db.engine.begin() as connection:
        if db.engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS log_entry_no_update"))
        connection.execute(text(f'UPDATE log_entry SET "{column}" = :value WHERE seq = 2'), {"value": value})


def _reference():
    try:
        return verify_entries(trail.iter_entries())
    except ChainError as error:
        return ("FAIL", error.seq)


def _fast():
    try:
        return trail.verify_database(batch=2)  # several batches
    except ChainError as error:
        return ("FAIL", error.seq)


def test_fast_check_agrees_on_an_intact_log(app):
    _append(5)
    assert _fast() == _reference() == trail.head()


@pytest.mark.parametrize("column,value", [
    ("data", '{"list": [1, null, true], "n": 1, "\\u00e9": "na\\u00efve \\u201cquotes\\u201d \\\\ \\""}'),  # same, not canonical
    ("data", '{"n":99}'),
    ("subject", "thing:99"),
    ("actor", None),
])
def test_fast_check_judges_a_changed_row_as_the_reference_does(app, db, column, value):
    _append(4)
    _change_row(db, column, value)
    assert _fast() == _reference()


def test_a_row_whose_data_is_not_json_fails_at_its_seq(app, db):
    _append(3)
    _change_row(db, "data", "not json")
    assert _fast() == ("FAIL", 2)
