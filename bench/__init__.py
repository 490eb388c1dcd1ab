"""doppelgate benchmarks: every figure is printed as a ratio to a baseline measured in the same run.

Run from the repository root: `python -m bench` (both), `python -m bench.engine_bench`,
`python -m bench.http_bench`; `--quick` for a short run. See bench/README.md.
"""
