"""dagster-dbt writes a target folder per build and never removes one: the pipeline keeps the newest."""

from __future__ import annotations

import os

from ilp_pipeline.defs.dbt import KEPT_BUILD_FOLDERS, prune_build_folders


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
