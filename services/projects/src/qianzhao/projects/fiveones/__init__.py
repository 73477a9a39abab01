"""The "five ones" (五个一) mechanism for major projects: leader, team, entity, plan, milestones."""
