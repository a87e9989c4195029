"""``python -m central``: the same as the ``central`` console script."""

import sys

from central.cli import main

sys.exit(main())
