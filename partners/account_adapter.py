"""Account mail (address verification, password reset, address change) goes through the outbox.

allauth renders the mail from its templates in the request's language; the adapter stores what it rendered
as an outbox row in the transaction of the account change, and the worker sends it after the commit. A
mail server that is down or refusing therefore never fails the request nor leaves a half-made account:
the message waits and is retried like every other notification.
"""

import uuid

from allauth.account.adapter import DefaultAccountAdapter
from django.utils import translation

from .services.notifications import ACCOUNT_MAIL


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        from .models import User
        from .services.notifications import record

        request = allauth_context.request
        from django.conf import settings

        ctx = {"request": request, "email": email, "current_site": get_current_site(request),
               "site_url": settings.SITE_URL, **context}
        message = self.render_mail(template_prefix, email, ctx)
        html = next((body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), "")
        text = message.body
        if getattr(message, "content_subtype", "plain") == "html":  # allauth sent HTML only
            html, text = message.body, ""
        user = ctx.get("user")
        recipient = user if isinstance(user, User) and user.pk and user.email.lower() == email.lower() else None
        record(ACCOUNT_MAIL, recipient=recipient, email=email, language=translation.get_language(),
               context={"template": template_prefix, "subject": message.subject, "text": text, "html": html},
               dedupe_key=f"{ACCOUNT_MAIL}:{template_prefix}:{uuid.uuid4().hex}")
