"""The person registry is kept by record: a build labels again only the records that arrived or changed and
the persons whose components they can change. What it keeps equals a build from nothing, when a record
joins two persons into one, when its removal parts them again, and when a record changes."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from kept_builds import build, differing_from_a_build_from_nothing, rows_selected

KEPT = ["int_identity__record_person", "int_identity__persons"]
BRIDGE_PATIENT = "test-bridge"


TABLES = {model: f"intermediate.{model}" for model in KEPT}


def _person_of(warehouse: Path, record_ids: list[str]) -> list[str]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return [
            con.execute(
                "select person_id from intermediate.int_identity__record_person where record_id = ?", [record_id]
            ).fetchone()[0]
            for record_id in record_ids
        ]


@pytest.fixture(scope="module")
def registry(pipeline_run, tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("identity_kept")
    warehouse = base / "kept.duckdb"
    shutil.copy(pipeline_run["env"]["ILP_WAREHOUSE"], warehouse)
    with duckdb.connect(str(warehouse)) as con:
        # a child known by NIK from a register, and another known only by name, birth date, sex and kelurahan
        by_nik, by_name, puskesmas = con.execute(
            """
            with labelled as (
                select records.*, registry.person_id
                from intermediate.int_identity__records as records
                inner join intermediate.int_identity__record_person as registry using (record_id)
            )
            select
                (select record_id from labelled
                 where nik is not null and source = 'posyandu' and person_id not like 'nama:%'
                 order by record_id limit 1),
                (select record_id from labelled
                 where person_id like 'nama:%' and source = 'posyandu' order by record_id limit 1),
                (select min(puskesmas_code) from intermediate.int_fhir__patient_latest)
            """
        ).fetchone()
        # one puskesmas patient who holds the first child's NIK and the second child's name key: one person
        con.execute(
            """
            insert into intermediate.int_fhir__patient_latest by name
            select
                $puskesmas as puskesmas_code, $patient as patient_id, by_nik.nik as nik_text,
                by_name.person_name, by_name.sex as sex_text, by_name.birth_date,
                by_name.name_kelurahan_code as village_code
            from intermediate.int_identity__records as by_nik, intermediate.int_identity__records as by_name
            where by_nik.record_id = $by_nik and by_name.record_id = $by_name
            """,
            {"puskesmas": puskesmas, "patient": BRIDGE_PATIENT, "by_nik": by_nik, "by_name": by_name},
        )
        bridge = f"fhir:{puskesmas}:{BRIDGE_PATIENT}"
        persons_before = con.execute("select count(*) from intermediate.int_identity__persons").fetchone()[0]
        records_of_both = con.execute(
            """
            select count(*) from intermediate.int_identity__record_person
            where person_id in (
                select person_id from intermediate.int_identity__record_person where list_contains(?, record_id)
            )
            """,
            [[by_nik, by_name]],
        ).fetchone()[0]
    records = [by_nik, by_name]
    before = _person_of(warehouse, records)

    replaced = rows_selected(
        f"intermediate/identity/{KEPT[0]}.sql", pipeline_run["env"], warehouse, base / "target_compiled"
    )
    build(KEPT, pipeline_run["env"], warehouse, base / "target_joined")
    joined = _person_of(warehouse, [*records, bridge])
    with duckdb.connect(str(warehouse), read_only=True) as con:
        persons_joined = con.execute("select count(*) from intermediate.int_identity__persons").fetchone()[0]
    joined_differing = differing_from_a_build_from_nothing(TABLES, pipeline_run["env"], warehouse, base / "joined")

    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from intermediate.int_fhir__patient_latest where patient_id = ?", [BRIDGE_PATIENT])
        # and the first child's record changes in what no key holds: the person is chosen again
        con.execute(
            "update intermediate.int_posyandu__register_checked set visit_date = date '2026-02-01' where record_id = ?",
            [by_nik],
        )
    build(KEPT, pipeline_run["env"], warehouse, base / "target_parted")
    parted = _person_of(warehouse, records)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        withdrawn = con.execute(
            "select count(*) from intermediate.int_identity__record_person where record_id = ?", [bridge]
        ).fetchone()[0]
        persons_parted = con.execute("select count(*) from intermediate.int_identity__persons").fetchone()[0]
    parted_differing = differing_from_a_build_from_nothing(TABLES, pipeline_run["env"], warehouse, base / "parted")
    return {
        "before": before,
        "joined": joined,
        "replaced": replaced,
        "records_of_both": records_of_both,
        "joined_differing": joined_differing,
        "parted": parted,
        "parted_differing": parted_differing,
        "withdrawn": withdrawn,
        "persons": (persons_before, persons_joined, persons_parted),
    }


def test_a_record_holding_keys_of_two_persons_makes_them_one(registry) -> None:
    nik_person, name_person = registry["before"]
    assert nik_person != name_person
    assert registry["joined"] == [min(nik_person, name_person)] * 3
    before, joined, _ = registry["persons"]
    assert joined == before - 1


def test_only_the_records_of_the_joined_persons_are_labelled_again(registry) -> None:
    """The kept registry is not rewritten: the build's rows are the two persons' records and the bridge."""
    assert registry["replaced"] == registry["records_of_both"] + 1


def test_the_registry_parts_them_again_when_the_joining_record_goes(registry) -> None:
    assert registry["parted"] == registry["before"]
    assert registry["withdrawn"] == 0
    before, _, parted = registry["persons"]
    assert parted == before


def test_the_kept_registry_equals_a_build_from_nothing(registry) -> None:
    assert registry["joined_differing"] == dict.fromkeys(KEPT, 0)
    assert registry["parted_differing"] == dict.fromkeys(KEPT, 0)
