"""Storage: SQLAlchemy tables mapped onto the domain, repositories, unit of work, Alembic migrations."""
