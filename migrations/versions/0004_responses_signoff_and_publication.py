"""responses, sign-off and publication

Themes, comment tags and responses ("You said, we did"); sign-off requests, one decision per statutory
partner per request (a unique constraint: two signatories approving at once count once); publications.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('signoff_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('rule', sa.String(length=20), nullable=False),
    sa.Column('quorum', sa.Integer(), nullable=True),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('waiver_reason', sa.Text(), nullable=True),
    sa.Column('unanswered', sa.Integer(), nullable=False),
    sa.Column('version_hash', sa.String(length=64), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(), nullable=True),
    sa.Column('closed_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("status IN ('open', 'returned', 'published')", name=op.f('ck_signoff_request_status')),
    sa.CheckConstraint('unanswered = 0 OR waiver_reason IS NOT NULL', name=op.f('ck_signoff_request_waived')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_signoff_request_consultation_id_consultation')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['person.id'], name=op.f('fk_signoff_request_requested_by_id_person')),
    sa.ForeignKeyConstraint(['version_id'], ['draft_version.id'], name=op.f('fk_signoff_request_version_id_draft_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signoff_request'))
    )
    with op.batch_alter_table('signoff_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signoff_request_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_signoff_request_version_id'), ['version_id'], unique=False)
        batch_op.create_index('uq_signoff_request_open', ['version_id'], unique=True, sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))

    op.create_table('theme',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_theme_consultation_id_consultation')),
    sa.ForeignKeyConstraint(['created_by_id'], ['person.id'], name=op.f('fk_theme_created_by_id_person')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_theme')),
    sa.UniqueConstraint('consultation_id', 'name', name=op.f('uq_theme_consultation_id_name'))
    )
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('comment_theme',
    sa.Column('comment_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.Column('tagged_by_id', sa.Integer(), nullable=True),
    sa.Column('tagged_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_comment_theme_comment_id_comment')),
    sa.ForeignKeyConstraint(['tagged_by_id'], ['person.id'], name=op.f('fk_comment_theme_tagged_by_id_person')),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_comment_theme_theme_id_theme')),
    sa.PrimaryKeyConstraint('comment_id', 'theme_id', name=op.f('pk_comment_theme'))
    )
    with op.batch_alter_table('comment_theme', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_theme_theme_id'), ['theme_id'], unique=False)

    op.create_table('publication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('draft_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('version_number', sa.Integer(), nullable=False),
    sa.Column('effective_date', sa.Date(), nullable=False),
    sa.Column('log_seq', sa.Integer(), nullable=False),
    sa.Column('log_head', sa.String(length=64), nullable=False),
    sa.Column('published_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['draft_id'], ['draft_arrangement.id'], name=op.f('fk_publication_draft_id_draft_arrangement')),
    sa.ForeignKeyConstraint(['request_id'], ['signoff_request.id'], name=op.f('fk_publication_request_id_signoff_request')),
    sa.ForeignKeyConstraint(['version_id'], ['draft_version.id'], name=op.f('fk_publication_version_id_draft_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_publication')),
    sa.UniqueConstraint('request_id', name=op.f('uq_publication_request_id')),
    sa.UniqueConstraint('slug', 'version_number', name=op.f('uq_publication_slug_version_number')),
    sa.UniqueConstraint('version_id', name=op.f('uq_publication_version_id'))
    )
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_publication_draft_id'), ['draft_id'], unique=False)

    op.create_table('response',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('comment_id', sa.Integer(), nullable=True),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('changed_section_key', sa.String(length=32), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("outcome IN ('accepted', 'partly_accepted', 'not_accepted', 'already_covered')", name=op.f('ck_response_outcome')),
    sa.CheckConstraint('(comment_id IS NULL) != (theme_id IS NULL)', name=op.f('ck_response_one_subject')),
    sa.CheckConstraint('length(reason) > 0', name=op.f('ck_response_has_reason')),
    sa.ForeignKeyConstraint(['by_id'], ['person.id'], name=op.f('fk_response_by_id_person')),
    sa.ForeignKeyConstraint(['comment_id'], ['comment.id'], name=op.f('fk_response_comment_id_comment')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'], name=op.f('fk_response_consultation_id_consultation')),
    sa.ForeignKeyConstraint(['theme_id'], ['theme.id'], name=op.f('fk_response_theme_id_theme')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response')),
    sa.UniqueConstraint('comment_id', name=op.f('uq_response_comment_id')),
    sa.UniqueConstraint('theme_id', name=op.f('uq_response_theme_id'))
    )
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_response_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index('ix_response_consultation_outcome', ['consultation_id', 'outcome'], unique=False)

    op.create_table('signoff',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('statutory_partner_id', sa.Integer(), nullable=False),
    sa.Column('signatory_id', sa.Integer(), nullable=False),
    sa.Column('acting_for_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('version_hash', sa.String(length=64), nullable=False),
    sa.Column('log_seq', sa.Integer(), nullable=False),
    sa.Column('log_head', sa.String(length=64), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("decision = 'approved' OR length(reason) > 0", name=op.f('ck_signoff_return_has_reason')),
    sa.CheckConstraint("decision IN ('approved', 'returned')", name=op.f('ck_signoff_decision')),
    sa.ForeignKeyConstraint(['acting_for_id'], ['person.id'], name=op.f('fk_signoff_acting_for_id_person')),
    sa.ForeignKeyConstraint(['request_id'], ['signoff_request.id'], name=op.f('fk_signoff_request_id_signoff_request')),
    sa.ForeignKeyConstraint(['signatory_id'], ['person.id'], name=op.f('fk_signoff_signatory_id_person')),
    sa.ForeignKeyConstraint(['statutory_partner_id'], ['statutory_partner.id'], name=op.f('fk_signoff_statutory_partner_id_statutory_partner')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_signoff')),
    sa.UniqueConstraint('request_id', 'statutory_partner_id', name=op.f('uq_signoff_request_id_statutory_partner_id'))
    )


def downgrade():
    op.drop_table('signoff')
    with op.batch_alter_table('response', schema=None) as batch_op:
        batch_op.drop_index('ix_response_consultation_outcome')
        batch_op.drop_index(batch_op.f('ix_response_consultation_id'))

    op.drop_table('response')
    with op.batch_alter_table('publication', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_publication_draft_id'))

    op.drop_table('publication')
    with op.batch_alter_table('comment_theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_theme_theme_id'))

    op.drop_table('comment_theme')
    with op.batch_alter_table('theme', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_consultation_id'))

    op.drop_table('theme')
    with op.batch_alter_table('signoff_request', schema=None) as batch_op:
        batch_op.drop_index('uq_signoff_request_open', sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))
        batch_op.drop_index(batch_op.f('ix_signoff_request_version_id'))
        batch_op.drop_index(batch_op.f('ix_signoff_request_consultation_id'))

    op.drop_table('signoff_request')
