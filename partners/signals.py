"""Signal receivers that connect the registry to framework events (logins, sign-ups)."""
