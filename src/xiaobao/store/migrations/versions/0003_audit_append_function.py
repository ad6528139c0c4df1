"""PostgreSQL: append to the audit chain in one server-side statement.

Every write transaction appends to the chain and holds its head row until commit. Done from the
client that was three round trips under the lock, each of which could also wait for Python's GIL
under load; as one statement the lock is taken, used and released in the server. The link hash is
sha256(prev_hash || E'\\n' || digest), identical to `domain.audit.link_hash`, so `audit verify` checks
entries appended either way. SQLite appends from Python (its writers are serialised anyway).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

FUNCTION = r"""
CREATE OR REPLACE FUNCTION xiaobao_audit_append(p_entries jsonb) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_seq bigint;
    v_hash text;
    v_next text;
    e jsonb;
BEGIN
    SELECT seq, hash INTO v_seq, v_hash FROM audit_head WHERE id = 1 FOR UPDATE;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    FOR e IN SELECT value FROM jsonb_array_elements(p_entries) LOOP
        v_seq := v_seq + 1;
        v_next := encode(sha256(convert_to(v_hash || E'\n' || (e->>'digest'), 'UTF8')), 'hex');
        INSERT INTO audit_log (seq, at, actor, action, entity_type, entity_id, content, prev_hash, hash)
        VALUES (v_seq, (e->>'at')::timestamp, e->>'actor', e->>'action', e->>'entity_type', e->>'entity_id',
                e->'content', v_hash, v_next);
        v_hash := v_next;
    END LOOP;
    UPDATE audit_head SET seq = v_seq, hash = v_hash WHERE id = 1;
    RETURN v_seq;
END
$$;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS xiaobao_audit_append(jsonb)")
