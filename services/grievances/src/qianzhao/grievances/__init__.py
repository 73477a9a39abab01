"""Qianzhao grievances service."""
