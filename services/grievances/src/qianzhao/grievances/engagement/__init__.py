"""Consultation and scheduling meetings (会商调度) and leaders' enterprise visits (领导入企走访)."""
