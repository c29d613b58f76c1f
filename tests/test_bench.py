"""`ilp bench` at a reduced kabupaten size, as a smoke test: every stage timed, the floor measured.

No time is asserted here; the performance budget is measured by `ilp bench` itself (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import json

from conftest import ilp, pipeline_env


def test_bench_reports_stages_floor_and_the_nightly_month(tmp_path) -> None:
    env = pipeline_env(tmp_path)
    result = ilp(["bench", "--months", "1", "--workdir", str(tmp_path / "bench")], env, tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads((tmp_path / "bench" / "bench-kabupaten-1m.json").read_text())
    assert report["full"]["months"] == "2025-01..2025-01"
    assert report["nightly"]["months"] == "2025-02..2025-02"
    for run in (report["full"], report["nightly"]):
        assert set(run["stages_seconds"]) == {"ingest", "dbt", "checks", "publish", "report"}
        assert all(seconds > 0 for seconds in run["stages_seconds"].values())
        assert run["rows_in"] > 0
    # the floor parses the same CSV and NDJSON files: at most the rows the pipeline received
    assert 0 < report["floor"]["rows"] <= report["full"]["rows_in"]
    assert report["pipeline_over_floor"] > 1
    assert report["peak_rss_mib"] > 0
    assert "pipeline / floor" in result.stdout
