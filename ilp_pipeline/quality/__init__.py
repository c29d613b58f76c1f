"""Quality gates: Great Expectations suites over the candidate PWS tables, run before publishing."""
