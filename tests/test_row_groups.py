"""Every connection that writes the warehouse, dbt's and the pipeline's, uses one row group size: DuckDB
keeps none in the file, and a connection with another size rewrites the row groups of whatever it
checkpoints."""

from __future__ import annotations

import re
import shutil

from conftest import ROOT

from ilp_pipeline.defs.resources import connect_writer
from ilp_pipeline.settings import WAREHOUSE_ROW_GROUP_SIZE


def _row_groups(con) -> dict[str, tuple[int, int]]:
    """Each table's number of row groups and rows in its largest."""
    tables = con.execute(
        "select schema_name || '.' || table_name from duckdb_tables() where database_name = current_database()"
    ).fetchall()
    groups = {}
    for (table,) in tables:
        groups[table] = con.execute(
            f"select count(distinct row_group_id), coalesce(max(count), 0) from pragma_storage_info('{table}') "
            "where column_id = 0"
        ).fetchone()
    return groups


def test_dbt_and_the_pipeline_write_row_groups_of_the_same_size(pipeline_run, tmp_path) -> None:
    copy = tmp_path / "ilp.duckdb"
    shutil.copy(pipeline_run["env"]["ILP_WAREHOUSE"], copy)
    con = connect_writer(copy)
    try:
        groups = _row_groups(con)
        # one table dbt builds and one the pipeline's ingestion appends to, both larger than a row group
        for table in ("intermediate.int_services__records", "raw.posyandu_register"):
            assert groups[table][0] > 1
            assert groups[table][1] == WAREHOUSE_ROW_GROUP_SIZE
        assert max(largest for _, largest in groups.values()) == WAREHOUSE_ROW_GROUP_SIZE
        con.execute("create table main.touched as select 1 as touched")
        con.execute("checkpoint")
        assert _row_groups(con) == {**groups, "main.touched": (1, 1)}
    finally:
        con.close()


def test_dbt_s_profile_defaults_to_the_pipeline_s_row_group_size() -> None:
    """dbt run by hand, without the pipeline's environment, writes the warehouse as the pipeline does."""
    profile = (ROOT / "dbt_project" / "profiles.yml").read_text()
    (default,) = re.findall(r"env_var\('ILP_WAREHOUSE_ROW_GROUP_SIZE', '(\d+)'\)", profile)
    assert int(default) == WAREHOUSE_ROW_GROUP_SIZE
