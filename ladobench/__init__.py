"""Common annual returns and benchmarks for English LADO services."""
