"""Use cases. Every change of state enters here; views, API, admin and commands only translate."""

from . import applications, membership, review  # noqa: F401  (registers workflow effects)
