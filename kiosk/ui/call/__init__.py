"""The video help screens: choose a language, wait, talk, rate."""
