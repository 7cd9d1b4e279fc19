"""Reads and writes the core's handlers share, each inside the caller's unit of work."""
