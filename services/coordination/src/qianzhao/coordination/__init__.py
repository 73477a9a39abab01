"""Qianzhao coordination service."""
