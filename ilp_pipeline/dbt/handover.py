"""`ilp-dbt`: the dbt executable of the pipeline's dbt resource.

When the run started a dbt process that waits with dbt imported (prestart.py), this hands it the command
and its standard streams, forwards interrupts to it, and exits with its exit code once it has ended (and
so released the warehouse). Otherwise, or when that process is gone, it runs dbt itself."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import sys

from ilp_pipeline.dbt.prestart import FINISHED, HEADER, INTERRUPTED, REPLY, SOCKET_VARIABLE, STARTED
from ilp_pipeline.settings import DBT_EXECUTABLE


def _reply(connection: socket.socket) -> tuple[bytes, int] | None:
    data = b""
    while len(data) < REPLY.size:
        chunk = connection.recv(REPLY.size - len(data))
        if not chunk:
            return None
        data += chunk
    return REPLY.unpack(data)


def _wait_until_ended(pid: int, connection: socket.socket) -> None:
    """A process's files are closed before it counts as ended, the warehouse's lock among them."""
    try:
        descriptor = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    except (AttributeError, OSError):
        # no process descriptors here: the socket closes with the process
        while connection.recv(4096):
            pass
        return
    try:
        select.select([descriptor], [], [])
    finally:
        os.close(descriptor)


class _Interrupts:
    """Interrupts (dagster-dbt stops a build with SIGINT) go to the process running the command, those that
    come before it has started it as soon as it has."""

    def __init__(self) -> None:
        self.pid: int | None = None
        self.pending: list[int] = []
        for interrupt in (signal.SIGINT, signal.SIGTERM):
            signal.signal(interrupt, self._forward)

    def _forward(self, number: int, _frame) -> None:
        if self.pid is None:
            self.pending.append(number)
        else:
            os.kill(self.pid, number)

    def send_to(self, pid: int) -> None:
        self.pid = pid
        for number in self.pending:
            os.kill(pid, number)


def hand_over(socket_path: str, arguments: list[str]) -> int | None:
    """The exit code of the command run by the waiting process, or None when it did not start it."""
    interrupts = _Interrupts()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
        command = json.dumps({"args": arguments, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
        try:
            connection.connect(socket_path)
            socket.send_fds(connection, [HEADER.pack(len(command))], [0, 1, 2])
            connection.sendall(command)
            started = _reply(connection)
        except OSError:
            started = None
        if started is None or started[0] != STARTED:
            # interrupted before anything ran: end as dbt would; else run dbt here
            return INTERRUPTED if interrupts.pending else None
        pid = started[1]
        interrupts.send_to(pid)
        finished = None
        with contextlib.suppress(OSError):
            finished = _reply(connection)
        _wait_until_ended(pid, connection)
        if finished is None or finished[0] != FINISHED:
            return 1
        return finished[1]


def main() -> int:
    arguments = sys.argv[1:]
    socket_path = os.environ.pop(SOCKET_VARIABLE, None)
    if socket_path:
        code = hand_over(socket_path, arguments)
        if code is not None:
            return code
    os.execv(DBT_EXECUTABLE, [DBT_EXECUTABLE, *arguments])
    return 1


if __name__ == "__main__":
    sys.exit(main())
