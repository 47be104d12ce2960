"""Domain services: the logic between a parsed request and a rendered reply."""
