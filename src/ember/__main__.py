"""``python -m ember``: the ``ember`` command."""

from .cli import main

raise SystemExit(main())
