"""The Qt side of the device core: the program runner and the widgets every screen device shows."""
