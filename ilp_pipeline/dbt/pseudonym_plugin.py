"""dbt-duckdb plugin: hands the pseudonym key to SQL as HMAC pads on each connection.

The key comes from the environment at connection time, so it never appears in compiled SQL, dbt's
artefacts or logs; the `person_key` macro computes HMAC-SHA256 with DuckDB's own sha256.
"""

from __future__ import annotations

import os

from dbt.adapters.duckdb.plugins import BasePlugin

from ilp_pipeline.settings import DEVELOPMENT_PSEUDONYM_KEY

BLOCK = 64


def hmac_pads(key: str) -> tuple[str, str]:
    """Inner and outer HMAC-SHA256 pads as hex (RFC 2104)."""
    import hashlib

    raw = key.encode("utf-8")
    if len(raw) > BLOCK:
        raw = hashlib.sha256(raw).digest()
    raw = raw.ljust(BLOCK, b"\0")
    inner = bytes(b ^ 0x36 for b in raw)
    outer = bytes(b ^ 0x5C for b in raw)
    return inner.hex(), outer.hex()


class Plugin(BasePlugin):
    def initialize(self, plugin_config):
        self._pads = hmac_pads(os.environ.get("ILP_PSEUDONYM_KEY") or DEVELOPMENT_PSEUDONYM_KEY)

    def configure_connection(self, conn):
        inner, outer = self._pads
        conn.execute(f"set variable ilp_hmac_ipad = '{inner}'")
        conn.execute(f"set variable ilp_hmac_opad = '{outer}'")

    def configure_cursor(self, cursor):
        # dbt runs models on cursors, each a connection of its own: the variables are set on each.
        self.configure_connection(cursor)
        return cursor
