"""Verification campaigns (清理核查) over the listed projects of a jurisdiction."""
