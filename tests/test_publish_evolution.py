"""A warehouse published by an earlier version keeps its published rows when a pws contract gains columns."""

from __future__ import annotations

import datetime as dt
import shutil

import duckdb

from ilp_pipeline.publish.periods import publish_periods


def test_published_rows_are_carried_into_the_new_columns(pipeline_run, tmp_path) -> None:
    copy = tmp_path / "ilp.duckdb"
    shutil.copy(pipeline_run["env"]["ILP_WAREHOUSE"], copy)
    with duckdb.connect(str(copy)) as con:
        con.execute("alter table pws.data_quality_monthly drop column indicator_code")
        con.execute("update pws.publish_log set publish_id = 'an-earlier-version' where month(period_month) = 3")
        before = con.execute("select count(*) from pws.data_quality_monthly where month < 3").fetchone()[0]
        outcomes = publish_periods(con, [dt.date(2026, 3, 1)], tmp_path / "publish")
        columns = [
            name
            for (name,) in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'pws' "
                "and table_name = 'data_quality_monthly' order by column_index"
            ).fetchall()
        ]
        after = con.execute("select count(*) from pws.data_quality_monthly where month < 3").fetchone()[0]
        candidate = con.execute("select count(*) from pws_candidate.data_quality_monthly where month = 3").fetchone()[0]
        march = con.execute("select count(*) from pws.data_quality_monthly where month = 3").fetchone()[0]
    assert [o.changed for o in outcomes] == [True]
    assert "indicator_code" in columns
    assert after == before > 0
    assert march == candidate
