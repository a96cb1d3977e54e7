"""partners sign off with their own passkeys (issue 20, part 5)

- passkey: a signatory's WebAuthn credentials (removable: each assertion keeps its own copy of the public key).
- passkey_challenge: one-time registration challenges, deleted when used.
- signoff_assertion: the assertion each passkey decision was made with. Append-only, like log_entry.
- partnership.passkey_required: "Partners must sign with a passkey" (the password is then refused).

Revision ID: 0014_passkeys_tables
Revises: 0014_witness_checkpoints
"""
import sqlalchemy as sa
from alembic import op

revision = "0014_passkeys_tables"
down_revision = "0014_witness_checkpoints"
branch_labels = None
depends_on = None

APPEND_ONLY = "signoff_assertion"


def _append_only(table):
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE FUNCTION {table}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                       BEGIN
                         RAISE EXCEPTION '{table} is append-only: % refused', TG_OP
                           USING ERRCODE = 'insufficient_privilege';
                       END $$""")
        op.execute(f"""CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
                       FOR EACH ROW EXECUTE FUNCTION {table}_append_only()""")
        op.execute(f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
                       FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table}
                           BEGIN SELECT RAISE(ABORT, '{table} is append-only: {event} refused'); END""")
        # INSERT OR REPLACE deletes the row it conflicts with without firing delete triggers (see 0008_issue13)
        op.execute(f"""CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table}
                       WHEN EXISTS (SELECT 1 FROM {table} WHERE id = NEW.id OR signoff_id = NEW.signoff_id)
                       BEGIN SELECT RAISE(ABORT, '{table} is append-only: REPLACE refused'); END""")


def upgrade():
    op.create_table(
        "passkey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.LargeBinary(length=1023), nullable=False),
        sa.Column("cose_public_key", sa.LargeBinary(), nullable=False),
        sa.Column("public_key_spki", sa.LargeBinary(), nullable=False),
        sa.Column("algorithm", sa.Integer(), nullable=False),
        sa.Column("sign_count", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=80), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("algorithm IN (-7, -8)", name=op.f("ck_passkey_algorithm")),
        sa.CheckConstraint("sign_count >= 0", name=op.f("ck_passkey_sign_count")),
        sa.CheckConstraint("length(label) > 0", name=op.f("ck_passkey_label")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_passkey_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passkey")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_passkey_credential_id")),
    )
    op.create_index(op.f("ix_passkey_person_id"), "passkey", ["person_id"])
    op.create_table(
        "passkey_challenge",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("challenge", sa.LargeBinary(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_passkey_challenge_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_passkey_challenge")),
        sa.UniqueConstraint("challenge", name=op.f("uq_passkey_challenge_challenge")),
    )
    op.create_index(op.f("ix_passkey_challenge_person_id"), "passkey_challenge", ["person_id"])
    op.create_table(
        "signoff_assertion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("signoff_id", sa.Integer(), nullable=False),
        sa.Column("statutory_partner_id", sa.Integer(), nullable=False),
        sa.Column("partner", sa.String(length=200), nullable=False),
        sa.Column("decision", sa.String(length=10), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.LargeBinary(), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("algorithm", sa.Integer(), nullable=False),
        sa.Column("authenticator_data", sa.LargeBinary(), nullable=False),
        sa.Column("client_data_json", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("challenge", sa.LargeBinary(length=32), nullable=False),
        sa.Column("version_hash", sa.String(length=64), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=False),
        sa.Column("rp_id", sa.String(length=253), nullable=False),
        sa.Column("origin", sa.String(length=300), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("decision IN ('approved', 'returned')", name=op.f("ck_signoff_assertion_decision")),
        sa.CheckConstraint("algorithm IN (-7, -8)", name=op.f("ck_signoff_assertion_algorithm")),
        sa.CheckConstraint("length(challenge) = 32", name=op.f("ck_signoff_assertion_challenge_length")),
        sa.ForeignKeyConstraint(["request_id"], ["signoff_request.id"],
                                name=op.f("fk_signoff_assertion_request_id_signoff_request")),
        sa.ForeignKeyConstraint(["signoff_id"], ["signoff.id"], name=op.f("fk_signoff_assertion_signoff_id_signoff")),
        sa.ForeignKeyConstraint(["statutory_partner_id"], ["statutory_partner.id"],
                                name=op.f("fk_signoff_assertion_statutory_partner_id_statutory_partner")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_signoff_assertion_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signoff_assertion")),
        sa.UniqueConstraint("signoff_id", name=op.f("uq_signoff_assertion_signoff_id")),
    )
    op.create_index(op.f("ix_signoff_assertion_request_id"), "signoff_assertion", ["request_id"])
    _append_only(APPEND_ONLY)
    op.add_column("partnership", sa.Column("passkey_required", sa.Boolean(), nullable=False,
                                           server_default=sa.false()))


def downgrade():
    with op.batch_alter_table("partnership") as batch:
        batch.drop_column("passkey_required")
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER {APPEND_ONLY}_no_truncate ON {APPEND_ONLY}")
        op.execute(f"DROP TRIGGER {APPEND_ONLY}_no_update_delete ON {APPEND_ONLY}")
        op.execute(f"DROP FUNCTION {APPEND_ONLY}_append_only()")
    op.drop_table("signoff_assertion")
    op.drop_table("passkey_challenge")
    op.drop_table("passkey")
