"""uploads public ids and scope (hardening, issue 10)

Every upload gets a random public id (the wire `file_id`); the file references stored in
application forms (`materials[].file_id`, `photo_file_id`) and appointment attachments are
rewritten from the old sequential ids to the new ones. `holder_profiles.photo_file_id` keeps
the internal integer id.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 00:00:00
"""
import json
import secrets

import sqlalchemy as sa
from alembic import context, op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_uploads = sa.table('uploads', sa.column('id', sa.BigInteger), sa.column('public_id', sa.String))
_applications = sa.table('applications', sa.column('id', sa.BigInteger), sa.column('form', sa.Text))
_appointments = sa.table('appointments', sa.column('id', sa.BigInteger), sa.column('attachments', sa.Text))


def _rewrite(conn, mapping: dict[str, str]) -> None:
    """Replace file ids in the stored forms and attachments (ids not in `mapping` are dropped)."""
    for row in conn.execute(sa.select(_applications.c.id, _applications.c.form)).all():
        form = json.loads(row.form or '{}')
        changed = False
        if isinstance(form.get('materials'), list):
            kept = []
            for m in form['materials']:
                new = mapping.get(str(m.get('file_id')))
                if new:
                    kept.append({**m, 'file_id': new})
            changed = kept != form['materials']
            form['materials'] = kept
        if form.get('photo_file_id'):
            new = mapping.get(str(form['photo_file_id']))
            changed = changed or new != form['photo_file_id']
            form['photo_file_id'] = new
        if changed:
            conn.execute(_applications.update().where(_applications.c.id == row.id)
                         .values(form=json.dumps(form, ensure_ascii=False)))
    for row in conn.execute(sa.select(_appointments.c.id, _appointments.c.attachments)).all():
        files = json.loads(row.attachments or '[]')
        new = [mapping[str(f)] for f in files if str(f) in mapping]
        if new != files:
            conn.execute(_appointments.update().where(_appointments.c.id == row.id).values(attachments=json.dumps(new)))


def upgrade() -> None:
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('public_id', sa.String(length=32), nullable=True))
    conn = op.get_bind()
    mapping = {}
    # offline (the generated schema SQL) there are no rows to carry over
    for (ident,) in [] if context.is_offline_mode() else conn.execute(sa.select(_uploads.c.id)).all():
        mapping[str(ident)] = secrets.token_hex(16)
        conn.execute(_uploads.update().where(_uploads.c.id == ident).values(public_id=mapping[str(ident)]))
    if mapping:
        _rewrite(conn, mapping)
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.alter_column('public_id', existing_type=sa.String(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_uploads_public_id'), ['public_id'])


def downgrade() -> None:
    conn = op.get_bind()
    if context.is_offline_mode():
        mapping = {}
    else:
        mapping = {r.public_id: str(r.id) for r in conn.execute(sa.select(_uploads.c.id, _uploads.c.public_id)).all()}
    if mapping:
        _rewrite(conn, mapping)
    with op.batch_alter_table('uploads', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_uploads_public_id'), type_='unique')
        batch_op.drop_column('public_id')
