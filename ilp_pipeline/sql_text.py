"""SQL text written into statements, where DuckDB needs constants rather than bound parameters (a list of
file paths in a read_csv call, an IN list it should apply where the raw rows are scanned), and the SQL that
formats a value as CSV text where lines are written by SQL rather than by COPY."""


def sql_string(value: str) -> str:
    """A string literal, quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def quoted_identifier(name: str) -> str:
    """An identifier in double quotes, quotes doubled."""
    return '"' + name.replace('"', '""') + '"'


def csv_field(expression: str, delimiter: str = ",") -> str:
    """SQL for a text expression as a CSV field: quoted (quotes doubled) when it holds the delimiter, a quote
    or a line break, empty when null."""
    text = f"coalesce({expression}, '')"
    quoted = f"""'"' || replace({text}, '"', '""') || '"'"""
    return f"""case when regexp_matches({text}, '[{delimiter}"\\n\\r]') then {quoted} else {text} end"""
