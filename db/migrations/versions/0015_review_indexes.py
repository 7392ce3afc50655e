"""Indexes for the coordinator's review filters (db/review.py, issue 14).

The filters read a record's date, place and violation types from its JSON
body. Without an index each filter reads (and decrypts) the table page of
every testimony it passes: at 100,000 testimonies 6-17 s a filter here.
One partial index per reviewed record type holds those three values
(``json_extract`` of the body, the expressions db/review.py writes), for
live records only, and then the type and the deleted flag again, constant
in it but needed to make it *covering*: a date range is a range of the
index, and a place or a violation type is checked on the index's entries
without reading the table. And
``revisions (device_id, entity_id)`` answers the device filter (the records
whose first revision a device signed) without reading every revision, and
the testimonies' ``incident_id`` the timeline's count of each incident's
testimonies.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# Record type -> (date field, place field), as db/review.py DATE_FIELD and PLACE_FIELD.
REVIEWED = {
    "testimony": ("interview_date", "interview_place"),
    "incident": ("date", "place"),
    "evidence": ("stated_date", "stated_place"),
}


def upgrade() -> None:
    for kind, (date, place) in REVIEWED.items():
        op.execute(
            f"CREATE INDEX ix_entities_review_{kind} ON entities ("
            f"json_extract(body, '$.{date}'), json_extract(body, '$.{place}'), "
            "json_extract(body, '$.violation_types'), entity_type, deleted) "
            f"WHERE entity_type = '{kind}' AND deleted = 0"
        )
    op.execute(
        "CREATE INDEX ix_entities_review_testimony_incident ON entities "
        "(json_extract(body, '$.incident_id'), entity_type, deleted) "
        "WHERE entity_type = 'testimony' AND deleted = 0"
    )
    # revision_id too, so that checking each one's parents needs no table read.
    op.create_index("ix_revisions_device_id", "revisions", ["device_id", "entity_id", "revision_id"])


def downgrade() -> None:
    op.drop_index("ix_revisions_device_id", table_name="revisions")
    op.execute("DROP INDEX ix_entities_review_testimony_incident")
    for kind in REVIEWED:
        op.execute(f"DROP INDEX ix_entities_review_{kind}")
