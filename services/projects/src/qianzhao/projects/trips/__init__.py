"""Leaders' investment-promotion trips (主要领导外出招商)."""
