"""WebRTC calls with aiortc: the call session, media tracks from the shared camera, signalling over the bus."""
