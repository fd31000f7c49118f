"""Few-level systems (paper 003); the public names live in `jaxthermo.fewlevel`."""
