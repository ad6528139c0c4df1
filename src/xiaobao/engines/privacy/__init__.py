"""Personal-information protection primitives."""
