import sys

from demo.fleet.cli import main

sys.exit(main())
