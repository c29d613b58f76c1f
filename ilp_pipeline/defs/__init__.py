"""Dagster definitions, one module per concern; definitions.py only assembles them."""
