"""Issue 16: a moderator can dismiss the reports on a comment with a reason (the reporter is told it).

Revision ID: 0010_issue16
Revises: 0009_issue18
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_issue16"
down_revision = "0009_issue18"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("comment_report", sa.Column("dismissal_reason", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("comment_report", "dismissal_reason")  # SQLite 3.35+ drops it in place, keeping the triggers
