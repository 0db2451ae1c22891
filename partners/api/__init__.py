"""REST API v1 for integrations (Django REST Framework)."""
