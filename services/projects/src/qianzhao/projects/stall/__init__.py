"""Stall detection (停滞预警): signed projects that do not start, started ones that do not produce."""
