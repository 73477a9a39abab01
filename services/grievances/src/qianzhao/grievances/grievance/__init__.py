"""The Grievance aggregate (企业诉求 / 省长直通车): intake, dispatch, reply, feedback, deadlines."""
