"""API routes: /api/v1/ resources and the OpenAPI schema with its local documentation pages."""

from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from . import schema  # noqa: F401  (registers the API-key security scheme)
from .applications import ApplicationViewSet, DecisionViewSet, OrganizationViewSet
from .calls import CallViewSet, PanelViewSet
from .catalogue import CaseViewSet, DataDemandViewSet, DataSetViewSet, TargetProgressViewSet
from .events import EventViewSet
from .member_requests import MemberRequestViewSet
from .members import MemberViewSet
from .reference import DistrictViewSet, IndustryViewSet, PartnerTypeViewSet
from .subsidy import PairingViewSet, SubsidyClaimViewSet
from .verification import VerificationCaseViewSet
from .webhooks import WebhookViewSet

router = DefaultRouter()
router.include_format_suffixes = False
router.register("partner-types", PartnerTypeViewSet, basename="partner-type")
router.register("districts", DistrictViewSet, basename="district")
router.register("industries", IndustryViewSet, basename="industry")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("applications", ApplicationViewSet, basename="application")
router.register("decisions", DecisionViewSet, basename="decision")
router.register("members", MemberViewSet, basename="member")
router.register("events", EventViewSet, basename="event")
router.register("webhooks", WebhookViewSet, basename="webhook")
router.register("verification-cases", VerificationCaseViewSet, basename="verification-case")
router.register("pairings", PairingViewSet, basename="pairing")
router.register("subsidy-claims", SubsidyClaimViewSet, basename="subsidy-claim")
router.register("datasets", DataSetViewSet, basename="dataset")
router.register("demands", DataDemandViewSet, basename="demand")
router.register("cases", CaseViewSet, basename="case")
router.register("target-progress", TargetProgressViewSet, basename="target-progress")
router.register("calls", CallViewSet, basename="call")
# The panel of an application: /applications/{id}/panel/ (staff keys).
router.register("applications", PanelViewSet, basename="application-panel")
router.register("member-requests", MemberRequestViewSet, basename="member-request")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    # ReDoc injects <style> elements at run time; only this documentation page allows inline styles.
    path("redoc/", csp_update({"style-src": ["'unsafe-inline'"], "worker-src": ["blob:"]})(
        SpectacularRedocView.as_view(url_name="api-schema")), name="api-redoc"),
    path("v1/", include(router.urls)),
]
