"""Qianzhao gateway service."""
