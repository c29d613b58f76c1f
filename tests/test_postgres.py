"""Publishing to PostgreSQL for BI tools: whole periods, indexes, a reader role that sees `pws` only."""

from __future__ import annotations

import shutil

import duckdb
import psycopg
import pytest
from postgres_cluster import throwaway_cluster

from ilp_pipeline.publish.periods import PUBLISHED_TABLES
from ilp_pipeline.publish.postgres import DevelopmentKeyRefused, publish_to_postgres


@pytest.fixture(scope="module")
def postgres_url():
    with throwaway_cluster() as url:
        yield url


@pytest.fixture
def published_copy(pipeline_run, tmp_path):
    copy = tmp_path / "ilp.duckdb"
    shutil.copy(pipeline_run["env"]["ILP_WAREHOUSE"], copy)
    return copy


def test_every_period_is_copied_once_and_bi_reads_pws_only(published_copy, postgres_url) -> None:
    with duckdb.connect(str(published_copy)) as con:
        outcome = publish_to_postgres(con, postgres_url, uses_development_key=False)
        again = publish_to_postgres(con, postgres_url, uses_development_key=False)
        expected = {
            table: con.execute(f"select count(*) from pws.{table}").fetchone()[0]
            for table in (*PUBLISHED_TABLES, "dim_indicator")
        }
        march = con.execute(
            "select kelurahan_code, numerator_ytd, coverage_ytd_pct from pws.kelurahan_indicator_monthly "
            "where period_month = date '2026-03-01' and indicator_code = 'IMM_MR1' and kelurahan_code is not null "
            "order by kelurahan_code"
        ).fetchall()
        versions = con.execute("select publish_id from pws.publish_log order by all").fetchall()
        history_rows = con.execute("select count(*) from pws_history.kelurahan_indicator_monthly").fetchone()[0]
    assert [f"{p:%Y-%m}" for p in outcome.periods_copied] == ["2026-01", "2026-02", "2026-03"]
    assert again.periods_copied == []
    assert outcome.rows_copied == sum(expected[table] for table in PUBLISHED_TABLES)

    with psycopg.connect(postgres_url, autocommit=True) as admin:
        counts = {table: admin.execute(f"select count(*) from pws.{table}").fetchone()[0] for table in expected}
        assert counts == expected
        indexes = {row[0] for row in admin.execute("select indexname from pg_indexes where schemaname = 'pws'")}
        assert "kelurahan_indicator_monthly_bi_idx" in indexes
        # every version travels once into pws_history, which BI tools may read too
        assert admin.execute("select publish_id from pws_history.publish_log order by 1").fetchall() == versions
        copied_history = "select count(*) from pws_history.kelurahan_indicator_monthly"
        assert admin.execute(copied_history).fetchone()[0] == history_rows > 0
        admin.execute("create role superset login password 'bi' in role pws_reader")
        admin.execute("create schema if not exists restricted")
        admin.execute("create table restricted.invitations as select 'nama anak' as child_name")
        admin.execute("create table public.person_keys as select 'abc' as person_key")

    bi_url = postgres_url.replace("postgres@", "superset:bi@")
    with psycopg.connect(bi_url, autocommit=True) as bi:
        rows = bi.execute(
            "select k.kelurahan_code, k.numerator_ytd, k.coverage_ytd_pct "
            "from pws.kelurahan_indicator_monthly as k join pws.dim_indicator as d using (indicator_code) "
            "where k.period_month = date '2026-03-01' and d.indicator_code = 'IMM_MR1' "
            "and k.kelurahan_code is not null order by k.kelurahan_code"
        ).fetchall()
        assert rows == march
        assert bi.execute("select count(*) from pws_history.publish_log").fetchone()[0] == len(versions)
        for forbidden in ("select * from restricted.invitations", "select * from public.person_keys"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                bi.execute(forbidden)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            bi.execute("create table pws.scratch (x int)")


def test_development_key_is_refused_for_postgres(published_copy, postgres_url) -> None:
    with duckdb.connect(str(published_copy)) as con, pytest.raises(DevelopmentKeyRefused, match="development key"):
        publish_to_postgres(con, postgres_url, uses_development_key=True)
