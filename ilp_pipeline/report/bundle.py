"""The Vega bundle every report inlines: Vega, Vega-Lite and vega-embed in one script, as vl-convert
bundles them for offline pages, kept in a folder beside the reports under vl-convert's version.

Bundling takes vl-convert one to two seconds of one core, holding the interpreter lock. A run whose reports
have no bundle yet starts it in a process of its own while dbt starts up, which keeps one core busy and
leaves the other idle for its first seconds; the report step then finds the bundle made."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
from pathlib import Path

import vl_convert


def bundle_path(cache_dir: Path) -> Path:
    return cache_dir / f".vega-bundle-vl-convert-{vl_convert.__version__}.js"


@functools.cache
def vega_bundle(cache_dir: Path | None = None) -> str:
    """The bundle, read from `cache_dir` when kept there, else made (and kept there)."""
    cached = bundle_path(cache_dir) if cache_dir else None
    if cached is not None and cached.exists():
        return cached.read_text("utf-8")
    bundle = vl_convert.javascript_bundle().replace("</script", "<\\/script")
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")
        partial.write_text(bundle, "utf-8")
        os.replace(partial, cached)
    return bundle


def make_bundle_aside(cache_dir: Path) -> subprocess.Popen | None:
    """A process that keeps a bundle in `cache_dir`, when none is kept there yet."""
    if bundle_path(cache_dir).exists():
        return None
    return subprocess.Popen(
        [sys.executable, "-m", "ilp_pipeline.report.bundle", str(cache_dir)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


if __name__ == "__main__":
    vega_bundle(Path(sys.argv[1]))
