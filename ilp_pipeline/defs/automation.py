"""What starts runs without an operator: the nightly schedule and the landing-directory sensor."""

import base64
import datetime as dt
import hashlib
import json
import zlib
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
from dagster import (
    AssetKey,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    ScheduleEvaluationContext,
    SensorEvaluationContext,
    SkipReason,
    schedule,
    sensor,
)
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from ilp_pipeline.ingest.landing import discover, file_month
from ilp_pipeline.ingest.manifest import sha256_of
from ilp_pipeline.settings import load_settings

MONTHLY_JOB = "ilp_monthly"
JAKARTA = ZoneInfo("Asia/Jakarta")
PUBLISHED = AssetKey(["pws", "published"])


def month_range_tags(first: str, last: str) -> dict[str, str]:
    return {ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last}


def nightly_months(scheduled_at: dt.datetime) -> tuple[str, str]:
    """The previous and the current month in Jakarta when the schedule fires (late registers come until
    the 10th, so the previous month is re-run every night)."""
    local = scheduled_at.astimezone(JAKARTA).date()
    current = local.replace(day=1)
    previous = (current - dt.timedelta(days=1)).replace(day=1)
    return f"{previous:%Y-%m}", f"{current:%Y-%m}"


@schedule(
    name="nightly",
    cron_schedule="0 1 * * *",
    execution_timezone="Asia/Jakarta",
    job_name=MONTHLY_JOB,
    default_status=DefaultScheduleStatus.RUNNING,
    description="01:00 WIB: the current month, and the previous one again for its late registers.",
)
def nightly(context: ScheduleEvaluationContext) -> RunRequest:
    first, last = nightly_months(context.scheduled_execution_time)
    return RunRequest(
        run_key=f"nightly-{context.scheduled_execution_time:%Y-%m-%d}", tags=month_range_tags(first, last)
    )


# --- landing sensor -------------------------------------------------------------------------------------

SERVICE_MONTHS_SQL = r"""
    select distinct strftime(strptime(month_text, '%Y-%m'), '%Y-%m') as month
    from (
        select unnest(regexp_extract_all(
            content,
            '"(?:effectiveDateTime|occurrenceDateTime|recordedDate|start|authoredOn)"\s*:\s*"([0-9]{4}-[0-9]{2})',
            1
        )) as month_text
        from read_text(?)
    )
"""


def _encode(state: dict) -> str:
    return base64.b64encode(zlib.compress(json.dumps(state, sort_keys=True).encode())).decode()


def _decode(cursor: str | None) -> dict:
    if not cursor:
        return {"files": {}}
    return json.loads(zlib.decompress(base64.b64decode(cursor)))


def _fingerprint(path: Path) -> str:
    stat = path.stat()
    return f"{stat.st_mtime_ns}:{stat.st_size}"


def service_months(root: Path, relative_paths: list[str], current_month: str) -> set[str]:
    """Months whose numbers a file can change: a register's month folder; an export's folder and the
    months of the service dates inside it; a kader assessment's month; a master or roster: this month."""
    months = {file_month(relative) or current_month for relative in relative_paths}
    exports = [str(root / relative) for relative in relative_paths if relative.startswith("puskesmas/")]
    if exports:
        with duckdb.connect() as con:
            months |= {month for (month,) in con.execute(SERVICE_MONTHS_SQL, [exports]).fetchall() if month}
    return months


def plan_landing_run(
    root: Path, cursor: str | None, published_months: set[str], current_month: str, valid_months: set[str]
) -> tuple[RunRequest | None, str, list[str]]:
    """Compare the landing directory with the cursor; returns the run to request (if any), the new cursor
    and the files that caused it. A known path counts when its content (sha256) changed; a new path when
    its content is not already in the landing directory under another name."""
    state = _decode(cursor)
    seen: dict[str, list[str]] = state["files"]
    known_contents = {sha for _fingerprint, sha in seen.values()}
    files: dict[str, list[str]] = {}
    changed = []
    for source_paths in discover(root).values():
        for path in source_paths:
            relative = path.relative_to(root).as_posix()
            fingerprint = _fingerprint(path)
            previous = seen.get(relative)
            if previous and previous[0] == fingerprint:
                files[relative] = previous
                continue
            sha = sha256_of(path)
            files[relative] = [fingerprint, sha]
            if (previous and previous[1] != sha) or (not previous and sha not in known_contents):
                changed.append(relative)
            known_contents.add(sha)
    new_cursor = _encode({"files": files})
    if not changed:
        return None, new_cursor, []
    months = {m for m in service_months(root, changed, current_month) if m in valid_months}
    if not months:
        return None, new_cursor, changed
    first = min(months)
    # late data for a month re-publishes it and every later month already published (sources.md)
    last = max(months | {m for m in published_months if m >= first})
    # a revert to earlier content is a new event: the key also covers what the cursor held before
    run_key = hashlib.sha256(
        "\n".join(sorted(f"{p}:{seen.get(p, ['', ''])[1]}>{files[p][1]}" for p in changed)).encode()
    ).hexdigest()
    return RunRequest(run_key=run_key, tags=month_range_tags(first, last)), new_cursor, changed


@sensor(
    name="landing_sensor",
    job_name=MONTHLY_JOB,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="New or changed files in ILP_DATA_DIR: one run over the months they hold, and later published months.",
)
def landing_sensor(context: SensorEvaluationContext):
    root = load_settings().data_dir
    if not root.exists():
        return SkipReason(f"{root} does not exist")
    job = context.repository_def.get_job(MONTHLY_JOB)
    valid = set(job.partitions_def.get_partition_keys())
    published = set(context.instance.get_materialized_partitions(PUBLISHED))
    current = f"{dt.datetime.now(JAKARTA):%Y-%m}"
    request, new_cursor, changed = plan_landing_run(root, context.cursor, published, current, valid)
    context.update_cursor(new_cursor)
    if request is None:
        return SkipReason("no new or changed file" if not changed else f"{len(changed)} file(s) outside partitions")
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    context.log.info(
        f"{len(changed)} new or changed file(s) ({shown}): months "
        f"{request.tags[ASSET_PARTITION_RANGE_START_TAG]}..{request.tags[ASSET_PARTITION_RANGE_END_TAG]}"
    )
    return request
