"""Glue between the dbt project and the rest: seeds derived from packages, the DuckDB connection plugin."""
