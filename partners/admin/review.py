"""Admin of what review produces: profiles (with their history), messages, notes, decisions, letters,
objections, memberships. Records written by the services are read-only; changes go through the services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from ..models import (
    PROFILE_MODELS,
    Decision,
    DecisionLetterTemplate,
    InternalNote,
    MemberNumberCounter,
    Membership,
    MembershipGrant,
    Objection,
    ReviewMessage,
    Scenario,
)
from ..services import membership as membership_services
from ..services import review as review_services
from .base import ReadOnlyAdmin, ReadOnlyInline, RegistryAdmin
from .reasons import reason_action

APPLICATION_SEARCH = ["application__organization__name", "application__organization__credit_code"]


class ScenarioInline(ReadOnlyInline):
    model = Scenario
    fields = ["title", "description", "data_available", "budget_min_10k", "budget_max_10k"]
    show_change_link = False


class ProfileAdmin(ReadOnlyAdmin, SimpleHistoryAdmin):
    # The applicant's answers: changed only by the applicant, frozen in revisions; the history shows each change.
    list_display = ["application", "summary"]
    search_fields = APPLICATION_SEARCH
    list_filter = ["application__state"]
    list_select_related = ["application__organization"]


for partner_type, model in PROFILE_MODELS.items():
    extra = {"inlines": [ScenarioInline]} if partner_type == "application" else {}
    admin.site.register(model, type(f"{model.__name__}Admin", (ProfileAdmin,), extra))


@admin.register(Scenario)
class ScenarioAdmin(ReadOnlyAdmin):
    list_display = ["title", "profile", "budget_min_10k", "budget_max_10k"]
    search_fields = ["title", "profile__application__organization__name"]


@admin.register(ReviewMessage)
class ReviewMessageAdmin(ReadOnlyAdmin):
    list_display = ["application", "action", "author", "created_at"]
    list_filter = ["action"]
    search_fields = APPLICATION_SEARCH


@admin.register(InternalNote)
class InternalNoteAdmin(ReadOnlyAdmin):
    list_display = ["application", "author", "created_at"]
    search_fields = APPLICATION_SEARCH


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["application", "level", "action", "actor", "created_at"]
    list_filter = ["level", "action"]
    search_fields = APPLICATION_SEARCH


@admin.register(DecisionLetterTemplate)
class DecisionLetterTemplateAdmin(RegistryAdmin):
    list_display = ["outcome", "language", "subject", "updated_at"]
    list_filter = ["outcome", "language"]
    search_fields = ["subject", "body"]


def _resolve(uphold):
    def call(user, objection, reason):
        return review_services.resolve_objection(user, objection, uphold=uphold, resolution=reason)

    return call


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["application", "name", "state", "created_at", "resolved_by", "resolved_at"]
    list_filter = ["state"]
    search_fields = [*APPLICATION_SEARCH, "name", "contact"]
    actions = [
        reason_action(_resolve(False), _("Dismiss the selected objections"), name="dismiss_objections"),
        reason_action(_resolve(True), _("Uphold the selected objections (back to final review)"),
                      name="uphold_objections"),
    ]


class GrantInline(ReadOnlyInline):
    model = MembershipGrant
    fields = ["partner_type", "application", "granted_on", "ends_on"]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ["number", "organization", "state", "admitted_at", "updated_at"]
    list_filter = ["state", "grants__partner_type"]
    search_fields = ["number", "organization__name", "organization__credit_code"]
    inlines = [GrantInline]
    actions = [
        reason_action(membership_services.suspend, _("Suspend the selected members"), name="suspend_members"),
        reason_action(membership_services.reinstate, _("Reinstate the selected members"), name="reinstate_members"),
        reason_action(membership_services.revoke, _("Revoke the selected memberships"), name="revoke_members"),
    ]


@admin.register(MembershipGrant)
class MembershipGrantAdmin(ReadOnlyAdmin):
    list_display = ["membership", "partner_type", "granted_on", "ends_on"]
    list_filter = ["partner_type"]
    search_fields = ["membership__number", "membership__organization__name",
                     "membership__organization__credit_code"]


@admin.register(MemberNumberCounter)
class MemberNumberCounterAdmin(ReadOnlyAdmin):
    list_display = ["year", "last"]
