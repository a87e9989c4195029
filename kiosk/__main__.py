"""``python -m kiosk``: the kiosk program, as the ``kiosk`` command starts it."""

import gc
import sys

# The start makes some 67,000 container objects that live as long as the program (settings models, the
# Python enums PySide6 makes for Qt's, modules): collecting among them while they are made only delays the
# first paint (about 14 ms of CPU in 270 on the development machine). kiosk.ui.app turns the collector
# back on, with those objects frozen out of its way, once the home screen is painted.
gc.disable()

from kiosk.cli import main  # noqa: E402  (after the line above, so that the imports run without collections)

sys.exit(main())
