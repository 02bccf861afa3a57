"""Benchmarks of the pipeline (scale, sync throughput, dbt orchestration) and its baselines."""
