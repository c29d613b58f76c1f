"""Quarantine loses exactly what it sets aside: a faulted run publishes the numbers of the clean run of the
same seed less the rows it quarantined, the files it rejected and the values it nulled."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest
from clean_minus_quarantined import published_differences, write_expected_landing
from conftest import MONTHS, ilp, pipeline_env

RUN = ["run", "--from", "2026-01", "--to", "2026-03"]


@pytest.fixture(scope="module")
def faulted_run(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("faulted")
    env = pipeline_env(base)
    generated = ilp(
        ["generate", "--months", MONTHS, "--seed", "7", "--error-rate", "0.02", "--out", env["ILP_DATA_DIR"]],
        env,
        base,
    )
    assert generated.returncode == 0, generated.stderr
    result = ilp(RUN, env, base)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return env


def test_faulted_run_publishes_the_clean_numbers_less_what_it_set_aside(faulted_run, generated, tmp_path):
    with duckdb.connect(faulted_run["ILP_WAREHOUSE"], read_only=True) as con:
        reasons = dict(
            con.execute(
                "select reason_code, sum(rows_quarantined) from pws.data_quality_monthly "
                "where check_name = 'quarantine' group by all"
            ).fetchall()
        )
        rejected = con.execute("select count(*) from raw.current_file where status = 'rejected'").fetchone()[0]
    # every row-level fault the generator injects is present, so the comparison below is not vacuous
    assert {"kolom_wajib_kosong", "tanggal_di_masa_depan", "kode_posyandu_tidak_dikenal", "json_rusak"} <= set(reasons)
    assert rejected > 0

    base = tmp_path
    env = pipeline_env(base)
    removed = write_expected_landing(
        faulted_run["ILP_WAREHOUSE"], faulted_run["ILP_DATA_DIR"], generated, base / "landing"
    )
    assert removed["lines_removed"] == sum(reasons.values())
    assert removed["rows_blanked"] > 0
    expected = ilp(RUN, env, base)
    assert expected.returncode == 0, expected.stdout[-3000:] + expected.stderr[-3000:]

    assert published_differences(faulted_run["ILP_WAREHOUSE"], env["ILP_WAREHOUSE"]) == {
        table: 0
        for table in (
            "kelurahan_indicator_monthly",
            "puskesmas_indicator_monthly",
            "district_indicator_monthly",
            "regency_indicator_monthly",
            "kelurahan_growth_monthly",
            "posyandu_monthly",
        )
    }


def test_data_docs_are_offline_and_carry_no_personal_data(faulted_run):
    docs = Path(faulted_run["ILP_PUBLISH_DIR"]) / "data_docs"
    page = (docs / "index.html").read_text(encoding="utf-8")
    results = json.loads((docs / "results.json").read_text(encoding="utf-8"))
    assert {"contract_posyandu_register", "ge_stg_posyandu__register", "ge_kelurahan_indicator_monthly"} <= set(results)
    assert all(name in page for name in results)
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", page)
    assert "@import" not in page
    # the faulted rows' identifiers and names, the values a failed expectation would otherwise list
    with duckdb.connect(faulted_run["ILP_WAREHOUSE"], read_only=True) as con:
        personal = con.execute(
            """select distinct value from (
                   select unnest([nik, nama, nik_ibu, nama_ibu]) as value from raw.posyandu_register
                   where nik like '%E+%' or nik like '%.%' or kode_posyandu = 'PSY0000000000000')
               where length(value) >= 6"""
        ).fetchall()
    assert len(personal) > 20
    text = page + json.dumps(results)
    assert [value for (value,) in personal if value in text] == []
