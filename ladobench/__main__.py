"""python -m ladobench: the same command line as build.py, for an installed package."""
import sys

from ladobench.cli import main

sys.exit(main())
