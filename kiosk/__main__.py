"""``python -m kiosk``: the kiosk program, as the ``kiosk`` command starts it."""

import gc
import sys

# The start makes hundreds of thousands of objects that live as long as the program (settings models,
# Qt's enums, modules): collecting among them while they are made only delays the first paint (about
# 20 ms of CPU in 290 on the reference machine). kiosk.ui.app turns the collector back on, with those
# objects frozen out of its way, once the home screen is painted.
gc.disable()

from kiosk.cli import main  # noqa: E402  (after the line above, so that the imports run without collections)

sys.exit(main())
