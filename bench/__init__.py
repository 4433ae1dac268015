"""Benchmarks that print their figures (targets are shown, never asserted in tests)."""
