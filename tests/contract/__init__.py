"""Contract tests: every operation of both products against Prism mock servers built from the
official documents (`pytest -m contract`)."""
