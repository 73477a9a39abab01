"""Industry chains (产业链): the editable reference table projects are compiled around."""
