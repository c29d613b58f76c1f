"""Landing directory -> raw tables, one module per kind of source."""
