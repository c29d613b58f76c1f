"""Great Expectations, imported when a suite first needs it, not when the definitions load.

Importing it takes about 2 s of CPU, half of what loading the definitions took, and the webserver, the
daemon and every run load the definitions, which only name the suites.
"""

from __future__ import annotations

import importlib
import logging
import os
import threading
from collections.abc import Callable
from types import ModuleType


def gx() -> ModuleType:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    module = importlib.import_module("great_expectations")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    return module


_aside: dict[Callable[[], ModuleType], threading.Thread] = {}


def import_aside(importer: Callable[[], ModuleType]) -> None:
    """Start `importer` on a thread of its own, once per process; whoever calls it later waits for the
    import there (Python's import lock) instead of importing again."""
    if importer not in _aside:
        _aside[importer] = threading.Thread(target=importer, name="import-aside", daemon=True)
        _aside[importer].start()


def row_condition_column(name: str):
    """A column of a GX 1.x row condition (`row_condition_column("kind") != "ratio_ytd"`)."""
    gx()
    return importlib.import_module("great_expectations.expectations.row_conditions").Column(name)


def progress_bars_off():
    gx()
    return importlib.import_module("great_expectations.data_context.types.base").ProgressBarsConfig(globally=False)
