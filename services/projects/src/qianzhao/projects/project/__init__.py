"""The Project aggregate."""
