"""SQL text written into statements, where DuckDB needs constants rather than bound parameters: a list of
file paths in a read_csv call, or an IN list it should apply where the raw rows are scanned."""


def sql_string(value: str) -> str:
    """A string literal, quotes doubled."""
    return "'" + value.replace("'", "''") + "'"
