"""A dbt process started with the run, which imports dbt while ingestion works and then waits for the
build's command.

Importing dbt takes about 1.4 s of one core before dbt does anything, and the dbt step, which waits for
ingestion, would pay it on the run's critical path. The dbt resource starts this process when the run
starts (`PrestartedDbt`); `ilp-dbt` (handover.py), the executable dagster-dbt runs, hands it its
arguments, environment, working directory and standard streams, and dbt runs here as `dbt` would have.
One process serves one command: a second command in the same run runs dbt itself."""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import logging
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
from typing import NoReturn

from ilp_pipeline.settings import DBT_PROJECT_DIR

SOCKET_VARIABLE = "ILP_DBT_PRESTARTED_SOCKET"
# What a build imports beyond its command line: the adapter, its DuckDB client and the connection plugins.
PRELOADED_MODULES = (
    "dbt.cli.main",
    "dbt.task.build",
    "dbt.adapters.duckdb",
    "duckdb",
    "ilp_pipeline.dbt.pseudonym_plugin",
    "ilp_pipeline.dbt.attach_plugin",
)
HEADER = struct.Struct("!Q")
REPLY = struct.Struct("!ci")
STARTED, FINISHED = b"S", b"F"
INTERRUPTED = 130
PARENT_CHECK_SECONDS = 2.0
STOP_SECONDS = 10.0


class PrestartedDbt:
    """The waiting process and its socket, in a folder only this user can enter: the command it is
    handed carries the pseudonym key in its environment."""

    def __init__(self) -> None:
        self.folder = tempfile.mkdtemp(prefix="ilp-dbt-")
        self.socket_path = os.path.join(self.folder, "dbt.sock")
        # bound here, before the process starts, so that a command arriving while Python starts waits
        # in the socket's queue instead of finding no socket and running dbt itself
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            listener.bind(self.socket_path)
            listener.listen(1)
            self.process = subprocess.Popen(
                [sys.executable, "-P", "-m", __name__, str(listener.fileno()), str(os.getpid())],
                pass_fds=[listener.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )

    def stop(self) -> None:
        """Stop the process if no command came (it ends by itself after one) and remove its folder."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def _preload() -> None:
    for module in PRELOADED_MODULES:
        # a module a later dbt no longer has is imported, or not, by the command itself
        with contextlib.suppress(ImportError):
            importlib.import_module(module)
    _generate_manifest_codecs()
    _generate_config_schemas()
    # what is imported lives as long as the process: the build's garbage collections need not walk it
    gc.freeze()


def _generate_manifest_codecs() -> None:
    """Read and write a kept parse state once, so that the build finds the manifest's (de)serialisers made.

    dbt's dataclasses generate their msgpack and JSON code when first used, and every build reads its
    parse state and writes its manifest: about 0.3 s of one core, here done beside ingestion. Best effort:
    with no parse state kept, or a dbt that works otherwise, the build makes them itself."""
    state = DBT_PROJECT_DIR / "target" / "partial_parse.msgpack"
    try:
        from argparse import Namespace

        from dbt.contracts.graph.manifest import Manifest
        from dbt.flags import set_flags
        from dbt.parser.manifest import extended_mashumuro_decoder

        # reading a manifest looks up one flag; the command sets them all afresh
        set_flags(Namespace(SEND_ANONYMOUS_USAGE_STATS=False))
        manifest = Manifest.from_msgpack(state.read_bytes(), decoder=extended_mashumuro_decoder)
        manifest.writable_manifest().to_dict(omit_none=False)
    except Exception:  # noqa: BLE001 - whatever fails here, the command does as it always did
        return


def _generate_config_schemas() -> None:
    """Build the JSON schemas dbt validates the project, its flags and the profile's credentials against.

    dbt builds each schema from its dataclass on first use and keeps it for the process: about 0.15 s of one
    core before the build's first model, here done beside ingestion. Best effort, as the codecs above."""
    try:
        from dbt.adapters.duckdb.credentials import DuckDBCredentials
        from dbt.artifacts.resources import Hook
        from dbt.contracts.project import ProfileConfig, Project, ProjectFlags

        for config in (Project, ProjectFlags, ProfileConfig, DuckDBCredentials, Hook):
            config.json_schema()
    except Exception:  # noqa: BLE001 - whatever fails here, the command does as it always did
        return


def _accept(listener: socket.socket, parent: int) -> socket.socket | None:
    listener.settimeout(PARENT_CHECK_SECONDS)
    while os.getppid() == parent:
        with contextlib.suppress(TimeoutError):
            connection, _ = listener.accept()
            connection.settimeout(None)
            return connection
    return None


def _receive_exactly(connection: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = connection.recv(size - len(data))
        if not chunk:
            raise ConnectionError("the command's sender went away")
        data += chunk
    return data


def _take_command(connection: socket.socket) -> dict:
    header, descriptors, _, _ = socket.recv_fds(connection, HEADER.size, 3)
    if len(header) < HEADER.size:
        header += _receive_exactly(connection, HEADER.size - len(header))
    for target, descriptor in zip((0, 1, 2), descriptors, strict=True):
        os.dup2(descriptor, target)
        os.close(descriptor)
    return json.loads(_receive_exactly(connection, HEADER.unpack(header)[0]))


def _run_dbt(arguments: list[str]) -> int:
    from dbt.cli.main import cli

    sys.argv = ["dbt", *arguments]
    try:
        # named as the `dbt` executable would be, not after this module
        cli.main(args=arguments, prog_name="dbt")
    except SystemExit as finished:
        code = finished.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except KeyboardInterrupt:
        return INTERRUPTED
    return 0


def _close_warehouse() -> bool:
    """Close dbt's DuckDB instance, which checkpoints the warehouse; False when this dbt-duckdb keeps it
    elsewhere."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager

        environment = DuckDBConnectionManager._ENV
    except (ImportError, AttributeError):
        return False
    if environment is not None:
        environment.close()
    return True


def _end(code: int) -> NoReturn:
    """End as soon as the warehouse is closed and the logs are written: tearing down the interpreter's dbt
    objects took 0.3 s more, during which the run waited for this process to end."""
    closed = _close_warehouse()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    if closed:
        os._exit(code)
    sys.exit(code)


def serve(listener_fd: int, parent: int) -> int:
    # an interrupt stops the build, as dagster-dbt expects, even where the run was started with
    # interrupts ignored (a background job of a shell), which its children would inherit
    signal.signal(signal.SIGINT, signal.default_int_handler)
    listener = socket.socket(fileno=listener_fd)
    _preload()
    connection = _accept(listener, parent)
    listener.close()
    if connection is None:
        return 0
    command = _take_command(connection)
    os.chdir(command["cwd"])
    os.environ.clear()
    os.environ.update(command["env"])
    connection.sendall(REPLY.pack(STARTED, os.getpid()))
    code = _run_dbt(command["args"])
    connection.sendall(REPLY.pack(FINISHED, code))
    _end(code)


if __name__ == "__main__":
    sys.exit(serve(int(sys.argv[1]), int(sys.argv[2])))
