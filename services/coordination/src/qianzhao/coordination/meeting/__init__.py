"""The provincial leading group's joint meetings (省领导小组联席会议): agenda, decisions, follow-up."""
