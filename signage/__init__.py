"""Flight information displays: the same device code as the kiosk, with no touch."""
