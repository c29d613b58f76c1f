"""Publishing: candidate PWS periods into the `pws` schema and Parquet, atomically per period."""
