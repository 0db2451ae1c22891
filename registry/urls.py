"""Top-level URL map: public site, applicant portal, staff review, accounts, admin and API v1."""

from allauth.account import views as account_views
from django.conf import settings
from django.contrib import admin
from django.db import transaction
from django.urls import include, path

from partners.views import compliance_urls

from .health import health, live, ping

urlpatterns = [
    path("health/", health, name="health"),  # readiness; answered by registry.health.ProbeMiddleware
    path("health/live/", live, name="health_live"),  # liveness
    path("ping/", ping, name="ping"),
    path("i18n/", include("django.conf.urls.i18n")),
    # A new account or address and its verification mail are stored together, or not at all.
    path("accounts/signup/", transaction.atomic(account_views.signup), name="account_signup"),
    path("accounts/email/", transaction.atomic(account_views.email), name="account_email"),
    path("accounts/", include("allauth.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
    path("api/", include("partners.api.urls")),
    path("keys/", include("partners.views.api_keys_urls", namespace="keys")),
    path("portal/", include("partners.views.portal_urls", namespace="portal")),
    path("me/", compliance_urls.privacy_urls),
    path("security/", compliance_urls.security_urls),
    path("inbox/", include("partners.views.inbox_urls", namespace="inbox")),
    path("staff/outbox/", include("partners.views.outbox_urls", namespace="outbox")),
    path("staff/", include("partners.views.review_urls", namespace="review")),
    path("panel/", include("partners.views.panel_urls", namespace="panel")),
    path("publicity/", include("partners.views.publicity_urls", namespace="publicity")),
    path("", include("partners.views.catalogue_urls", namespace="catalogue")),
    path("", include("partners.views.public_urls", namespace="public")),
]

# Under /api/ a server error answers in the API's JSON shape (4xx are shaped by partners.hygiene).
handler500 = "partners.views.errors.server_error"
