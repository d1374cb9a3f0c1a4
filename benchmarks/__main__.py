"""``python -m benchmarks``: the same as ``python benchmarks/run.py``."""

from .run import main

raise SystemExit(main())
