"""The kiosk's printing: slip templates, the job queue that loses nothing, and the printer service.

Qt-free. A screen calls ``PrinterService.submit(slip)``, reads ``state`` / ``can_print()`` and listens
for state changes; see docs/printer.md.
"""
