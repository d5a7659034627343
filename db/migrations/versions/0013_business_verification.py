"""Verified businesses: a party's unified social credit code, legal name and the council's verification.

Parties registered before stay as they were: no code, unverified, so a business registered
before this migration must give its code and be verified before it is named in a new contract
or case (docs/VERIFIED_BUSINESSES.md).

Revision ID: 0013_business_verification
Revises: 0012_party_keys
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_business_verification"
down_revision: str | Sequence[str] | None = "0012_party_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("party") as batch:
        batch.add_column(sa.Column("credit_code", sa.String(), nullable=True))
        batch.add_column(sa.Column("legal_name", sa.String(), nullable=True))
        batch.add_column(sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("verified_by", sa.String(), nullable=True))
        batch.add_column(sa.Column("verification_note", sa.Text(), nullable=True))
        batch.create_unique_constraint(batch.f("uq_party_credit_code"), ["credit_code"])


def downgrade() -> None:
    with op.batch_alter_table("party") as batch:
        batch.drop_constraint(batch.f("uq_party_credit_code"), type_="unique")
        for column in ("verification_note", "verified_by", "verified_at", "legal_name", "credit_code"):
            batch.drop_column(column)
