"""Real peers for tests: a Mosquitto broker, the programs as processes, and Chromium."""
