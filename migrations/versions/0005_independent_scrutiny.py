"""independent scrutiny

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('scrutiny_finding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('observation', sa.Text(), nullable=False),
    sa.Column('recommendation', sa.Text(), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('entry_seqs', sa.String(length=500), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.Column('shared_at', sa.DateTime(), nullable=True),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint("severity IN ('low', 'medium', 'high')", name=op.f('ck_scrutiny_finding_severity')),
    sa.CheckConstraint("visibility IN ('private', 'shared', 'released')", name=op.f('ck_scrutiny_finding_visibility')),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_scrutiny_finding_author_id_person')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultation.id'],
                            name=op.f('fk_scrutiny_finding_consultation_id_consultation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrutiny_finding'))
    )
    with op.batch_alter_table('scrutiny_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scrutiny_finding_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index('ix_scrutiny_finding_visibility', ['visibility', 'consultation_id'], unique=False)

    op.create_table('scrutiny_finding_answer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['person.id'], name=op.f('fk_scrutiny_finding_answer_author_id_person')),
    sa.ForeignKeyConstraint(['finding_id'], ['scrutiny_finding.id'],
                            name=op.f('fk_scrutiny_finding_answer_finding_id_scrutiny_finding')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scrutiny_finding_answer'))
    )
    with op.batch_alter_table('scrutiny_finding_answer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_scrutiny_finding_answer_finding_id'), ['finding_id'], unique=False)


def downgrade():
    with op.batch_alter_table('scrutiny_finding_answer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_scrutiny_finding_answer_finding_id'))
    op.drop_table('scrutiny_finding_answer')
    with op.batch_alter_table('scrutiny_finding', schema=None) as batch_op:
        batch_op.drop_index('ix_scrutiny_finding_visibility')
        batch_op.drop_index(batch_op.f('ix_scrutiny_finding_consultation_id'))
    op.drop_table('scrutiny_finding')
