"""Storage: SQLModel tables, the async engine, migrations and repositories."""
