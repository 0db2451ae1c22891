"""API keys on screen: administrators create scoped keys for staff; everyone may hold personal tokens."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.html import format_html
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..models import User
from ..models.api import ApiScope
from ..permissions import can
from ..services import api_keys
from ..services.applications import ServiceError


class KeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the key is for, e.g. “district system sync”."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), widget=forms.CheckboxSelectMultiple)
    owner = forms.ModelChoiceField(label=_("Acts for"), queryset=User.objects.none(), required=False,
                                   help_text=_("The person whose rights the key uses; empty: yourself."))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.manages = bool(can(user, "api_key.manage"))
        # The scope's code is what integrators write; it is shown as code, beside its translated meaning.
        choices = [(s.value, format_html("<code>{}</code> {}", s.value, s.label)) for s in ApiScope]
        if not self.manages:
            allowed = api_keys.allowed_scopes(user)
            choices = [c for c in choices if c[0] in allowed]
        self.fields["scopes"].choices = choices
        if self.manages:
            self.fields["owner"].queryset = User.objects.filter(is_active=True, groups__isnull=False).distinct()
        else:
            del self.fields["owner"]


@never_cache
@login_required
def key_list(request):
    """Keys you may see, and the form to create one; a new token is shown on this answer only."""
    form = KeyForm(request.POST or None, user=request.user)
    token = None
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data.get("owner") or request.user
        try:
            key, token = api_keys.create_key(request.user, owner=owner, name=form.cleaned_data["name"],
                                             scopes=form.cleaned_data["scopes"],
                                             ip=request.META.get("REMOTE_ADDR"))
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _g("Key “%(name)s” created. Copy the token now: it is not shown again.")
                             % {"name": key.name})
            form = KeyForm(user=request.user)
    keys = api_keys.keys_visible_to(request.user).order_by("-created_at")[:200]
    status = 400 if request.method == "POST" and token is None else 200
    return render(request, "partners/api/keys.html",
                  {"form": form, "keys": keys, "token": token, "manages": form.manages}, status=status)


@login_required
@require_POST
def key_revoke(request, pk):
    key = get_object_or_404(api_keys.keys_visible_to(request.user), pk=pk)
    try:
        api_keys.revoke_key(request.user, key, ip=request.META.get("REMOTE_ADDR"))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _g("Key “%(name)s” revoked.") % {"name": key.name})
    return redirect("keys:list")
