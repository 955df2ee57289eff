"""`python -m aioequiwatt`: the command line."""

from .cli import main

raise SystemExit(main())
