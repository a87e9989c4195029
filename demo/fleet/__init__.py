"""The fleet simulator: N simulated kiosks and displays speaking the bus contract, for load tests of
``central`` and the demo's fleet. It sits in the demo layer because only the demo and the benchmarks use
it; it needs nothing but the bus contract, and no device or central code depends on it."""
