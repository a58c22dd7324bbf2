"""hub's benchmarks: `python bench/run.py` prints the table."""
