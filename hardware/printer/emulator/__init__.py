"""A thermal printer on a pseudo-terminal: speaks ESC/POS, answers status, renders receipts to PNG.

``python -m hardware.printer.emulator --help`` for the command line; used by the demo and the tests.
"""
