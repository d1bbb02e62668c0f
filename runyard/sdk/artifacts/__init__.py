"""Artifacts: versioned, content-addressed collections of files (see docs/artifacts.md)."""
