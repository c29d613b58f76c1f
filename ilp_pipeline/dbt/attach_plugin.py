"""dbt-duckdb plugin: quotes the alias of the warehouse's attachment.

dbt-duckdb writes an attachment's alias into its ATTACH statement as it stands, and the profile names the
warehouse after its file, as DuckDB does: a file named after an SQL keyword (`full.duckdb`) would not
attach. The alias is quoted before dbt-duckdb connects; dbt's database name stays the bare name."""

from __future__ import annotations

from dbt.adapters.duckdb.plugins import BasePlugin

from ilp_pipeline.sql_text import quoted_identifier


class Plugin(BasePlugin):
    def update_connection_config(self, creds, config):
        for attachment in creds.attach or []:
            if attachment.alias and not attachment.alias.startswith('"'):
                attachment.alias = quoted_identifier(attachment.alias)
