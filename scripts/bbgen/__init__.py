"""The code generator behind scripts/generate.py (not part of the installed package)."""
