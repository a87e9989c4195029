"""QR info points: the registry of posted points, their posters, and their phone pages on ``central``."""
