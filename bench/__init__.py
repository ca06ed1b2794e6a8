"""Benchmarks (not tests): ``make bench`` runs them; each writes its results to bench/results/."""
