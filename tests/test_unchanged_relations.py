"""Views and seeds are made again only when what they are made from changed (macros/unchanged_relations.sql)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
from conftest import dbt

from ilp_pipeline.settings import DBT_PROJECT_DIR

VIEWS = {"stg_posyandu__register": "staging", "int_posyandu__visits_checked": "intermediate"}
SEED = "province_codes"
BUILT = [*VIEWS, SEED, "int_posyandu__duplicate_visits"]


def _mark(warehouse: Path) -> None:
    """Marks that a relation made again loses: a comment on each view's first column, a changed seed row."""
    with duckdb.connect(str(warehouse)) as con:
        for view, schema in VIEWS.items():
            column = con.execute(f"select * from {schema}.{view} limit 0").description[0][0]
            con.execute(f"comment on column {schema}.{view}.{column} is 'marked'")
        con.execute(f"update seeds.{SEED} set province_name = 'marked' where province_code = '11'")


def _still_marked(warehouse: Path) -> dict[str, bool]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        views = con.execute(
            "select table_name, coalesce(bool_or(comment = 'marked'), false) from duckdb_columns() "
            "where list_contains(?, table_name) group by all",
            [list(VIEWS)],
        ).fetchall()
        seed = con.execute(f"select count(*) = 1 from seeds.{SEED} where province_name = 'marked'").fetchone()[0]
    return {**dict(views), SEED: seed}


def _messages(target: Path) -> dict[str, str]:
    results = json.loads((target / "run_results.json").read_text())["results"]
    messages = {
        result["unique_id"].split(".")[-1]: result["adapter_response"].get("_message", result["status"])
        for result in results
    }
    return {name: messages[name] for name in BUILT}


def test_views_and_seeds_are_made_again_only_when_what_makes_them_changed(pipeline_run, tmp_path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    warehouse = tmp_path / "ilp.duckdb"
    shutil.copy(pipeline_run["env"]["ILP_WAREHOUSE"], warehouse)

    def build(name: str, *flags: str) -> dict[str, str]:
        target = tmp_path / name
        args = ["build", "--select", *BUILT, "--exclude", "test_type:unit", "--target-path", str(target), *flags]
        dbt(args, pipeline_run["env"], warehouse, project)
        return _messages(target)

    _mark(warehouse)
    assert build("same") == {
        "stg_posyandu__register": "UNCHANGED",
        "int_posyandu__visits_checked": "UNCHANGED",
        SEED: "UNCHANGED",
        # a table is made again on every build
        "int_posyandu__duplicate_visits": "OK",
    }
    assert _still_marked(warehouse) == dict.fromkeys([*VIEWS, SEED], True)
    # the view made before the table it reads was made again reads the new table
    with duckdb.connect(str(warehouse), read_only=True) as con:
        visits, flagged = con.execute(
            "select count(*), count(*) filter (where is_duplicate) from intermediate.int_posyandu__visits_checked"
        ).fetchone()
        checked = con.execute("select count(*) from intermediate.int_posyandu__register_checked").fetchone()[0]
        duplicates = con.execute("select count(*) from intermediate.int_posyandu__duplicate_visits").fetchone()[0]
    assert visits == checked > 0
    assert flagged == duplicates

    register = project / "models" / "staging" / "posyandu" / "stg_posyandu__register.sql"
    register.write_text(register.read_text() + "-- changed\n")
    codes = project / "seeds" / f"{SEED}.csv"
    codes.write_text(codes.read_text().replace("Aceh", "Nanggroe Aceh Darussalam", 1))
    messages = build("changed")
    assert messages["stg_posyandu__register"] == "OK"
    assert messages["int_posyandu__visits_checked"] == "UNCHANGED"
    assert messages[SEED] == f"INSERT {len(codes.read_text().splitlines()) - 1}"
    assert _still_marked(warehouse) == {
        "stg_posyandu__register": False,
        "int_posyandu__visits_checked": True,
        SEED: False,
    }
    with duckdb.connect(str(warehouse), read_only=True) as con:
        renamed = con.execute(f"select province_name from seeds.{SEED} where province_code = '11'").fetchall()
    assert renamed == [("Nanggroe Aceh Darussalam",)]

    _mark(warehouse)
    assert "UNCHANGED" not in build("full_refresh", "--full-refresh").values()
    assert not any(_still_marked(warehouse).values())
