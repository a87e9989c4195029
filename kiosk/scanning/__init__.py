"""What a code held up to the kiosk means: a boarding pass (its flight on the live board), a posted info
point (its details from central), or anything else (shown as text at most). Qt-free; see docs/scanning.md.

It sits in ``kiosk`` rather than ``hardware.scanner`` because it needs the kiosk's settings and the
device's flight boards; the decoder and the BCBP parser below it know nothing of either.
"""
