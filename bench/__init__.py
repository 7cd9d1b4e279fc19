"""Benchmarks: scripts (not tests). Each appends its figures to bench/RESULTS.md."""
