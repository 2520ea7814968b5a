"""Benchmarks (`make bench`): not tests; results go to docs/BENCHMARKS.md."""
