"""Admin actions that need a reason (membership changes, objection resolutions): one intermediate page."""

from django import forms
from django.contrib import messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from ..services.applications import ServiceError


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
                             max_length=2000)


def reason_action(service, description, *, name):
    """An admin action asking for a reason, then calling `service(user, obj, reason)` for each selected row."""

    def action(modeladmin, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            done = 0
            for obj in queryset:
                try:
                    service(request.user, obj, form.cleaned_data["reason"])
                    done += 1
                except ServiceError as exc:
                    modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
            if done:
                modeladmin.message_user(request, _g("%(n)d done.") % {"n": done}, messages.SUCCESS)
            return None
        return TemplateResponse(request, "admin/partners/reason_action.html", {
            **modeladmin.admin_site.each_context(request),
            "title": description, "form": form, "queryset": queryset, "action_name": name,
            "opts": modeladmin.model._meta, "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across") == "1",
        })

    action.__name__ = name
    action.short_description = description
    return action
