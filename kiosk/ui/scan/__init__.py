"""Scanning at the kiosk: the Scan screen (live preview and guidance), the result screen, and the flow that
runs the camera and the decoder while the Scan screen shows."""
