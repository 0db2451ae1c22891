"""The Sites record (used by allauth in account mail) follows SITE_URL and SITE_NAME, never `example.com`."""

from urllib.parse import urlsplit

from django.conf import settings


def wanted_site():
    """(domain, name) the settings ask for: the host of SITE_URL, and the registry's name."""
    domain = urlsplit(settings.SITE_URL).netloc or settings.SITE_URL
    return domain[:100], (settings.SITE_NAME or domain)[:50]


def sync_site(site_model=None, using="default"):
    """Create or update the record of SITE_ID; a no-op when it already matches. Returns the record."""
    if site_model is None:
        from django.contrib.sites.models import Site as site_model
    domain, name = wanted_site()
    site, created = site_model.objects.using(using).get_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": name})
    if not created and (site.domain, site.name) != (domain, name):
        site.domain, site.name = domain, name
        site.save(using=using, update_fields=["domain", "name"])
    # The framework caches the current site per process; forget it so mail uses the new name at once.
    from django.contrib.sites.models import SITE_CACHE

    SITE_CACHE.clear()
    return site
