"""Closed systems with finite reservoirs (papers 000, 001); the public names live in
`jaxthermo.closed`."""
