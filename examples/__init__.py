"""Example implementations graded by the kit (see examples/README.md)."""
