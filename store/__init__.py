"""The DuckDB warehouse: schema and migrations, connections, the raw layer and normalize SQL."""
