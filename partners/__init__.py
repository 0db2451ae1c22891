"""The partner-plan app: organisations, applications, review, membership and their interfaces."""
