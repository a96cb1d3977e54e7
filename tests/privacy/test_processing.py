"""The record of processing is read from the models: nothing stored goes unlisted."""
from app.extensions import db
from app.privacy import processing


def test_every_table_is_in_the_record_with_its_columns(app):
    record = {row["table"]: row for row in processing.record()}
    assert set(record) == set(db.metadata.tables)
    for name, table in db.metadata.tables.items():
        assert [c[0] for c in record[name]["columns"]] == [c.name for c in table.columns]


def test_the_personal_columns_named_exist_and_each_personal_table_says_how_long_it_is_kept(app):
    for table, columns in processing.PERSONAL.items():
        assert table in db.metadata.tables, table
        assert columns <= set(db.metadata.tables[table].columns.keys()), table
    for table in processing.RETENTION:
        assert table in db.metadata.tables, table
    record = {row["table"]: row for row in processing.record()}
    assert record["person"]["personal"] and "12 months" in record["person"]["retention"]
    assert record["comment"]["purpose"].startswith("A comment on the whole draft")


def test_a_model_holding_free_text_or_a_person_is_marked_personal(app):
    """A new column that points at a person, or holds an email, must be listed in PERSONAL (or here, with why)."""
    def staff_act(table, column):  # who did an administrative act: the partnership's staff, in their role
        return column.endswith("by_id") and (column, table) != ("by_id", "comment_report") or column == "acting_for_id" \
            or table.startswith("scrutiny_finding")

    for table in db.metadata.tables.values():
        for column in table.columns:
            points_at_person = any(fk.column.table.name == "person" for fk in column.foreign_keys)
            if (points_at_person and not staff_act(table.name, column.name)) or column.name in ("email", "to_address"):
                assert column.name in processing.PERSONAL.get(table.name, set()) or table.name in (
                    "person", "data_protection_setting", "role_grant"), f"{table.name}.{column.name}"
