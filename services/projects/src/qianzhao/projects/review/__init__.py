"""Review and selection into the pool (遴选入库)."""
