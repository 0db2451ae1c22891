"""Template tags and filters of the registry."""
