"""The demo data set: realistic organisations and applications in every state, built through the services."""

from .accounts import DEMO_ACCOUNTS, DEMO_DOMAIN, DEMO_PASSWORD
from .seed import seed

__all__ = ["DEMO_ACCOUNTS", "DEMO_DOMAIN", "DEMO_PASSWORD", "seed"]
