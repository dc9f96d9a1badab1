"""Loopback fakes of the remote systems Koers's connectors talk to (tests and benchmarks only)."""
