"""dagster-dbt writes a target folder per build and never removes one, and a parse state is kept per warehouse:
the pipeline keeps the newest of both."""

from __future__ import annotations

import os

from ilp_pipeline.defs.dbt import KEPT_BUILD_FOLDERS, KEPT_PARSE_STATES, prune_build_folders, prune_parse_states


def test_only_the_newest_build_folders_stay(tmp_path) -> None:
    builds = []
    for number in range(KEPT_BUILD_FOLDERS + 3):
        folder = tmp_path / f"ilp_dbt_models-{number:07x}-{number:07x}"
        (folder / "compiled").mkdir(parents=True)
        (folder / "dbt.log").write_text("{}\n")
        os.utime(folder, (1_800_000_000 + number, 1_800_000_000 + number))
        builds.append(folder)
    kept_apart = [tmp_path / "parse_states", tmp_path / "compiled"]
    for folder in kept_apart:
        folder.mkdir()

    removed = prune_build_folders(builds[-1])

    assert sorted(removed) == builds[:3]
    assert [folder.exists() for folder in builds] == [False] * 3 + [True] * KEPT_BUILD_FOLDERS
    assert all(folder.exists() for folder in kept_apart)


def test_only_the_newest_parse_states_stay_and_never_the_kept_one(tmp_path) -> None:
    states = []
    for number in range(KEPT_PARSE_STATES + 3):
        state = tmp_path / f"{number:016x}.msgpack"
        state.write_bytes(b"state")
        os.utime(state, (1_800_000_000 + number, 1_800_000_000 + number))
        states.append(state)
    being_written = tmp_path / "0000000000000000.4242.staged"
    being_written.write_bytes(b"state")
    os.utime(being_written, (1_700_000_000, 1_700_000_000))

    removed = prune_parse_states(states[-1])

    assert sorted(removed) == states[:3]
    assert [state.exists() for state in states] == [False] * 3 + [True] * KEPT_PARSE_STATES
    assert being_written.exists()
    # a warehouse built long ago and again now keeps its state, however old the file's time
    os.utime(states[4], (1_600_000_000, 1_600_000_000))
    assert states[4] not in prune_parse_states(states[4], keep=1)
    assert states[4].exists()
