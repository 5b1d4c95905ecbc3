"""``python -m kit.adapters.node PROGRAM``: run a bundled Node program (see the package's docstring)."""

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
