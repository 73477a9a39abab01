"""Shared code of the Qianzhao services."""
