"""The CoordinationCase aggregate (重大招商项目问题协调案件)."""
