"""Qianzhao projects service."""
