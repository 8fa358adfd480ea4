"""Benchmarks (``make bench``): figures printed as ratios to the rate-limit ceiling."""
