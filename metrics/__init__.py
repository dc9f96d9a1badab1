"""Metrics as pure functions over a DuckDB connection (METRICS.md), SQL first."""
