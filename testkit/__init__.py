"""Fault injectors and harnesses that the tests and the benchmarks share (never deployed)."""
