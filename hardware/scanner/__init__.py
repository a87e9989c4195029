"""The code scanner: the camera's frames decoded off the UI thread (QR, PDF417, Aztec, Data Matrix) and the
boarding passes (IATA BCBP) they may carry. Qt-free; see ``docs/scanning.md``."""
