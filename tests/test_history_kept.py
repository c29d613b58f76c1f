"""The immunisation history and the pregnancy episodes are kept by person: a build sequences again only the
children whose recorded doses changed and groups again only the mothers whose ANC contacts or deliveries
changed, and withdraws those left with none. What it keeps equals a build from nothing."""

from __future__ import annotations

import shutil

import duckdb
import pytest
from kept_builds import build, differing_from_a_build_from_nothing, rows_selected

KEPT = {
    "fct_immunisation": "marts.fct_immunisation",
    "int_maternal__anc_contacts": "intermediate.int_maternal__anc_contacts",
}
FILES = {
    "fct_immunisation": "marts/immunisation/fct_immunisation.sql",
    "int_maternal__anc_contacts": "intermediate/maternal/int_maternal__anc_contacts.sql",
}


@pytest.fixture(scope="module")
def history(pipeline_run, tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("history_kept")
    warehouse = base / "kept.duckdb"
    shutil.copy(pipeline_run["env"]["ILP_WAREHOUSE"], warehouse)
    env = pipeline_run["env"]
    with duckdb.connect(str(warehouse)) as con:
        # two children with several doses: one dose of the first is recorded two days later, the second
        # child's service records go
        (changed_child, changed_record), (gone_child, _) = con.execute(
            """
            select persons.person_id, min(doses.record_id)
            from marts.fct_immunisation as doses
            inner join intermediate.int_identity__persons as persons using (person_key)
            group by persons.person_id
            having count(*) >= 3
            order by persons.person_id
            limit 2
            """
        ).fetchall()
        con.execute(
            "update intermediate.int_services__records set service_date = service_date + 2 where record_id = ?",
            [changed_record],
        )
        con.execute("delete from intermediate.int_services__records where person_id = ?", [gone_child])
        # two mothers with several ANC contacts: the last contact of the first states another gestational
        # age; the second's contacts go, her delivery stays
        changed_mother, gone_mother = [
            row[0]
            for row in con.execute(
                """
                select person_id from intermediate.int_maternal__anc_contacts
                group by person_id
                having count(*) >= 3
                order by person_id
                limit 2
                """
            ).fetchall()
        ]
        con.execute(
            """
            update intermediate.int_services__encounters set gestational_age_weeks = 2
            where record_id = (
                select max_by(record_id, service_date) from intermediate.int_services__encounters
                where person_id = ? and encounter_type = 'ANC'
            )
            """,
            [changed_mother],
        )
        con.execute(
            "delete from intermediate.int_services__encounters where person_id = ? and encounter_type = 'ANC'",
            [gone_mother],
        )
    selected = {model: rows_selected(FILES[model], env, warehouse, base / f"target_compiled_{model}") for model in KEPT}
    build(list(KEPT), env, warehouse, base / "target_kept")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        held = {
            "changed_child": con.execute(
                "select count(*) from marts.fct_immunisation where person_key = "
                "(select person_key from intermediate.int_identity__persons where person_id = ?)",
                [changed_child],
            ).fetchone()[0],
            "gone_child": con.execute(
                "select count(*) from marts.fct_immunisation where person_key = "
                "(select person_key from intermediate.int_identity__persons where person_id = ?)",
                [gone_child],
            ).fetchone()[0],
            "changed_mother": con.execute(
                "select count(*) from intermediate.int_maternal__anc_contacts where person_id = ?", [changed_mother]
            ).fetchone()[0],
            "gone_mother": con.execute(
                "select count(*) from intermediate.int_maternal__anc_contacts where person_id = ?", [gone_mother]
            ).fetchone()[0],
            "children": con.execute("select count(distinct person_key) from marts.fct_immunisation").fetchone()[0],
        }
    differing = differing_from_a_build_from_nothing(KEPT, env, warehouse, base / "full")
    return {"selected": selected, "held": held, "differing": differing}


def test_only_the_changed_child_is_sequenced_again_and_the_other_withdrawn(history) -> None:
    held = history["held"]
    assert held["changed_child"] >= 3
    assert held["gone_child"] == 0
    assert held["children"] > 100
    # the changed child's doses, and one row that withdraws the other child
    assert history["selected"]["fct_immunisation"] == held["changed_child"] + 1


def test_only_the_changed_mother_is_grouped_again_and_the_other_withdrawn(history) -> None:
    held = history["held"]
    assert held["changed_mother"] >= 3
    assert held["gone_mother"] == 0
    assert history["selected"]["int_maternal__anc_contacts"] == held["changed_mother"] + 1


def test_the_kept_history_equals_a_build_from_nothing(history) -> None:
    assert history["differing"] == dict.fromkeys(KEPT, 0)
