"""Benchmarks run by scripts/bench (not by scripts/test)."""
