"""Benchmarks (`make bench`): each measures Fieldvault against a baseline run alongside."""
