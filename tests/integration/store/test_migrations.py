"""The migration chain has one head, and a database stamped at the old area branches reaches it."""

from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from xiaobao.store.migrate import alembic_config, heads, upgrade

OLD_BRANCH_HEADS = ("0004", "0005", "0006", "0007", "0008", "0009")


def _current(url: str) -> tuple[str, ...]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return tuple(sorted(MigrationContext.configure(conn).get_current_heads()))
    finally:
        engine.dispose()


def test_the_chain_has_exactly_one_head():
    assert len(heads()) == 1 and heads()[0] >= "0010"


def test_a_database_at_the_six_old_branch_heads_upgrades_to_the_one_head(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    for rev in OLD_BRANCH_HEADS:  # what `upgrade("heads")` left before 0010
        command.upgrade(alembic_config(url), rev)
    assert _current(url) == OLD_BRANCH_HEADS
    upgrade(url)
    assert _current(url) == heads()


def test_every_test_database_is_at_the_one_head(db_url):
    assert _current(db_url.replace("postgresql://", "postgresql+psycopg://")) == heads()
