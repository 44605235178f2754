#!/usr/bin/env python3
"""Command line for the LADO benchmarking site: python build.py --help."""
import sys

from ladobench.cli import main

if __name__ == "__main__":
    sys.exit(main())
