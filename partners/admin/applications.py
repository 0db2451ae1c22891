"""Admin of applications: read-only answers, assignment and the workflow's own actions as buttons.

Nothing here changes an application by itself: assignment calls `services.review.assign`, every button
calls the workflow through the services, so permissions, four eyes and the audit trail hold in the admin too.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .. import labels, workflow
from ..models import (
    Application,
    Attachment,
    AuditEvent,
    Decision,
    InvitationCode,
    RequestedType,
    ReviewMessage,
    Revision,
)
from ..permissions import can_fire
from ..services import applications as app_services
from ..services import review as review_services
from ..services.applications import ServiceError
from .base import ReadOnlyAdmin, ReadOnlyInline, RegistryAdmin
from .workflow_forms import AssignForm, WorkflowActionForm

# Applicant actions go through the applicant services; every staff action through the review service.
APPLICANT_SERVICES = {
    "submit": lambda user, application, inputs: app_services.submit(user, application),
    "resubmit": lambda user, application, inputs: app_services.resubmit(user, application),
    "withdraw": lambda user, application, inputs: app_services.withdraw(user, application,
                                                                        reason=inputs.get("message", "")),
}


def run_action(user, application, action, inputs):
    if action in APPLICANT_SERVICES:
        return APPLICANT_SERVICES[action](user, application, inputs)
    return review_services.fire(user, application, action, **inputs)


class RequestedTypeInline(ReadOnlyInline):
    model = RequestedType
    fields = ["partner_type", "recommendation", "granted", "is_open"]
    readonly_fields = fields
    show_change_link = False


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["kind", "original_name", "content_type", "size", "uploaded_at", "purged_at"]
    readonly_fields = fields
    fk_name = "application"


class ReviewMessageInline(ReadOnlyInline):
    model = ReviewMessage
    fields = ["created_at", "author", "action_label", "body", "points"]
    readonly_fields = fields

    @admin.display(description=_("action"))
    def action_label(self, obj):
        return labels.action_label(obj.action) if obj.action else ""


class DecisionInline(ReadOnlyInline):
    model = Decision
    fields = ["created_at", "level", "action_label", "actor", "outcomes", "reason"]
    readonly_fields = fields

    @admin.display(description=_("action"))
    def action_label(self, obj):
        return labels.action_label(obj.action)

    @admin.display(description=_("per partner type"))
    def outcomes(self, obj):
        return "; ".join(f"{labels.partner_type_label(t)}: {labels.outcome_label(v)}"
                         for t, v in (obj.per_type or {}).items())


class EventInline(ReadOnlyInline):
    model = AuditEvent
    fields = ["created_at", "event", "who", "state_before", "state_after"]
    readonly_fields = fields

    @admin.display(description=_("action"))
    def event(self, obj):
        return labels.event_label(obj.action)

    @admin.display(description=_("state before"))
    def state_before(self, obj):
        return labels.state_label(obj.from_state)

    @admin.display(description=_("state after"))
    def state_after(self, obj):
        return labels.state_label(obj.to_state)
    verbose_name_plural = _("timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


@admin.register(Application)
class ApplicationAdmin(ReadOnlyAdmin):
    list_display = ["id", "organization", "credit_code", "partner_types_display", "state", "channel",
                    "assigned_reviewer", "submitted_at", "state_changed_at"]
    list_filter = ["state", "requested_types__partner_type", "channel", "organization__district",
                   ("assigned_reviewer", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["organization__name", "organization__name_en", "organization__credit_code"]
    list_select_related = ["organization", "assigned_reviewer"]
    date_hierarchy = "submitted_at"
    inlines = [RequestedTypeInline, AttachmentInline, ReviewMessageInline, DecisionInline, EventInline]
    actions = ["assign_to_reviewer"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("requested_types")

    @admin.display(description=_("credit code"), ordering="organization__credit_code")
    def credit_code(self, obj):
        return obj.organization.credit_code

    @admin.display(description=_("partner types"))
    def partner_types_display(self, obj):
        return obj.get_partner_types_display()

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        return [
            path("<path:object_id>/workflow/<str:action>/", self.admin_site.admin_view(self.workflow_view),
                 name=f"{info[0]}_{info[1]}_workflow"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        application = self.get_object(request, unquote(object_id))
        extra_context = {**(extra_context or {}),
                         "workflow_actions": workflow.available_actions(application, request.user)
                         if application else []}
        return super().change_view(request, object_id, form_url, extra_context)

    # --- Assignment ---------------------------------------------------------------------------

    @admin.action(description=_("Assign to a reviewer"))
    def assign_to_reviewer(self, request, queryset):
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            try:
                n = review_services.assign(request.user, queryset.values_list("pk", flat=True),
                                           form.cleaned_data["reviewer"])
            except ServiceError as exc:
                self.message_user(request, exc.message, messages.ERROR)
                return None
            self.message_user(request, ngettext("%(n)d application assigned to %(who)s.",
                                                "%(n)d applications assigned to %(who)s.", n)
                              % {"n": n, "who": form.cleaned_data["reviewer"]}, messages.SUCCESS)
            return None
        return TemplateResponse(request, "admin/partners/application/assign.html", {
            **self.admin_site.each_context(request),
            "title": _g("Assign to a reviewer"), "form": form, "queryset": queryset[:200],
            "count": queryset.count(), "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across") == "1",
        })

    # --- Workflow buttons ---------------------------------------------------------------------

    def workflow_view(self, request, object_id, action):
        application = self.get_object(request, unquote(object_id))
        if application is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        if not self.has_view_permission(request, application):
            raise PermissionDenied
        change_url = reverse("admin:partners_application_change", args=[application.pk])
        transition = workflow.TABLE.get((application.state, action))
        if request.method != "POST":
            refusal = self._refusal(request.user, application, action, transition)
            if refusal:
                self.message_user(request, refusal, messages.ERROR)
                return HttpResponseRedirect(change_url)
        form = WorkflowActionForm(request.POST if request.method == "POST" else None,
                                  application=application, transition=transition)
        if form.is_bound and form.is_valid():
            try:
                run_action(request.user, application, action, form.inputs())
            except (workflow.TransitionError, ServiceError) as exc:
                # The workflow refuses with a reason (four eyes, already decided, missing input): show it.
                self.message_user(request, exc.message, messages.ERROR)
            else:
                self.message_user(request, _g("Done: %(action)s.") % {"action": transition.label},
                                  messages.SUCCESS)
                return HttpResponseRedirect(change_url)
        return TemplateResponse(request, "admin/partners/application/workflow_action.html", {
            **self.admin_site.each_context(request),
            "title": transition.label if transition else action, "form": form, "original": application,
            "transition": transition, "opts": self.model._meta, "change_url": change_url,
        })

    @staticmethod
    def _refusal(user, application, action, transition):
        if transition is None:
            try:
                workflow.get_transition(application.state, action)
            except workflow.TransitionError as exc:
                return exc.message
        verdict = can_fire(user, transition, application)
        return "" if verdict.allowed else verdict.reason


@admin.register(RequestedType)
class RequestedTypeAdmin(ReadOnlyAdmin):
    list_display = ["application", "partner_type", "recommendation", "granted", "is_open"]
    list_filter = ["partner_type", "recommendation", "granted", "is_open"]
    search_fields = ["organization__name", "organization__credit_code"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    # Files are served only through the permission-checked views, never linked from here.
    list_display = ["original_name", "application", "kind", "content_type", "size", "uploaded_at", "purged_at"]
    list_filter = ["kind", "content_type"]
    search_fields = ["original_name", "application__organization__name", "application__organization__credit_code"]
    exclude = ["file"]


@admin.register(Revision)
class RevisionAdmin(ReadOnlyAdmin):
    list_display = ["application", "number", "created_by", "created_at"]
    search_fields = ["application__organization__name", "application__organization__credit_code"]


@admin.register(InvitationCode)
class InvitationCodeAdmin(RegistryAdmin):
    list_display = ["code", "department", "organization_name", "expires_on", "used_by", "created_at"]
    list_filter = ["department"]
    search_fields = ["code", "department", "organization_name"]
    readonly_fields = ["used_by"]
