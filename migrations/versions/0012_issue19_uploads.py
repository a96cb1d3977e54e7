"""uploaded files, documents attached to drafts, and workshop and paper input entered by staff (issue 19)

- stored_file: a file kept on disk (UPLOAD_FOLDER, named by a random key), its type found by its content, size
  and SHA-256 (app/attachments).
- draft_attachment: a document or image shown with a draft or one of its sections (by section key, so it follows
  the section from version to version); kind (document, easy read, another language) and language.
- workshop_session: a workshop, paper forms, easy read forms or interviews with a group, recorded by a
  facilitator or youth worker for a consultation (app/workshops); its contributions are comments whose author is
  the session's "group voice" account (person.is_group_voice: it never signs in and is shown as "Participants in
  the … workshop, 12 people").
- workshop_photo: a photo or scan of the session's flipcharts or forms (a stored_file; staff, moderators and the
  scrutineer only).

Each new table moves the data version (migration 0007): the draft and consultation pages show them.

Revision ID: 0012_issue19_uploads
Revises: 0011_issue15
"""
import sqlalchemy as sa
from alembic import op

revision = "0012_issue19_uploads"
down_revision = "0012_issue19_suggestions"
branch_labels = None
depends_on = None

BUMP = "UPDATE data_version SET n = n + 1 WHERE id = 1"
TABLES = ["stored_file", "draft_attachment", "workshop_session", "workshop_photo"]


def _data_version_triggers(table):
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE TRIGGER data_version BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
                       FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version()""")
    else:
        for event in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER data_version_{table}_{event.lower()} AFTER {event} ON {table} "
                       f"BEGIN {BUMP}; END")


def upgrade():
    op.add_column("person", sa.Column("is_group_voice", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "stored_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False),
        sa.Column("storage_key", sa.String(length=32), nullable=False),
        sa.Column("file_type", sa.String(length=10), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("file_type IN ('pdf', 'docx', 'odt', 'png', 'jpeg')", name=op.f("ck_stored_file_file_type")),
        sa.CheckConstraint("size > 0", name=op.f("ck_stored_file_not_empty")),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnership.id"],
                                name=op.f("fk_stored_file_partnership_id_partnership")),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["person.id"], name=op.f("fk_stored_file_uploaded_by_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_file")),
        sa.UniqueConstraint("storage_key", name=op.f("uq_stored_file_storage_key")),
    )
    op.create_index(op.f("ix_stored_file_partnership_id"), "stored_file", ["partnership_id"])
    op.create_table(
        "draft_attachment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("section_key", sa.String(length=32), nullable=True),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=12), nullable=False),
        sa.Column("alt_text", sa.Text(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("kind IN ('document', 'easy_read', 'other_language')", name=op.f("ck_draft_attachment_kind")),
        sa.CheckConstraint("kind != 'other_language' OR language != 'en'",
                           name=op.f("ck_draft_attachment_other_language")),
        sa.ForeignKeyConstraint(["draft_id"], ["draft_arrangement.id"],
                                name=op.f("fk_draft_attachment_draft_id_draft_arrangement")),
        sa.ForeignKeyConstraint(["file_id"], ["stored_file.id"], name=op.f("fk_draft_attachment_file_id_stored_file")),
        sa.ForeignKeyConstraint(["added_by_id"], ["person.id"], name=op.f("fk_draft_attachment_added_by_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_draft_attachment")),
        sa.UniqueConstraint("file_id", name=op.f("uq_draft_attachment_file_id")),
    )
    op.create_index(op.f("ix_draft_attachment_draft_id"), "draft_attachment", ["draft_id"])
    op.create_table(
        "workshop_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("group_name", sa.String(length=120), nullable=False),
        sa.Column("participants", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=12), nullable=False),
        sa.Column("audience", sa.String(length=30), nullable=False),
        sa.Column("voice_id", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("participants >= 1 AND participants <= 10000", name=op.f("ck_workshop_session_participants")),
        sa.CheckConstraint("method IN ('workshop', 'paper', 'easy_read', 'interview')",
                           name=op.f("ck_workshop_session_method")),
        sa.CheckConstraint("audience IN ('young_people', 'public')", name=op.f("ck_workshop_session_audience")),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultation.id"],
                                name=op.f("fk_workshop_session_consultation_id_consultation")),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_workshop_session_organisation_id_organisation")),
        sa.ForeignKeyConstraint(["voice_id"], ["person.id"], name=op.f("fk_workshop_session_voice_id_person")),
        sa.ForeignKeyConstraint(["recorded_by_id"], ["person.id"],
                                name=op.f("fk_workshop_session_recorded_by_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_session")),
        sa.UniqueConstraint("voice_id", name=op.f("uq_workshop_session_voice_id")),
    )
    op.create_index(op.f("ix_workshop_session_consultation_id"), "workshop_session", ["consultation_id"])
    op.create_table(
        "workshop_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["session_id"], ["workshop_session.id"],
                                name=op.f("fk_workshop_photo_session_id_workshop_session")),
        sa.ForeignKeyConstraint(["file_id"], ["stored_file.id"], name=op.f("fk_workshop_photo_file_id_stored_file")),
        sa.ForeignKeyConstraint(["added_by_id"], ["person.id"], name=op.f("fk_workshop_photo_added_by_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workshop_photo")),
        sa.UniqueConstraint("file_id", name=op.f("uq_workshop_photo_file_id")),
    )
    op.create_index(op.f("ix_workshop_photo_session_id"), "workshop_photo", ["session_id"])
    for table in TABLES:
        _data_version_triggers(table)


def downgrade():
    for table in reversed(TABLES):
        op.drop_table(table)  # its triggers go with it
    op.drop_column("person", "is_group_voice")
