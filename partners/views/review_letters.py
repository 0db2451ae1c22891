"""Decision letter templates: administrators see every outcome and language and edit them."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _g

from ..forms.review import LetterTemplateForm
from ..services import letters as letter_services
from ..services.applications import ServiceError
from .review_common import staff_view


@staff_view("letters.edit")
def letter_list(request):
    return render(request, "partners/review/letters.html",
                  {"letters": letter_services.letter_templates(),
                   "placeholders": letter_services.PLACEHOLDERS})


@staff_view("letters.edit")
def letter_edit(request, outcome, language):
    if outcome not in letter_services.OUTCOMES or language not in dict(settings.LANGUAGES):
        raise Http404
    subject, body = letter_services.letter_source(outcome, language)
    if request.method == "POST":
        if request.POST.get("reset"):
            letter_services.reset_letter_template(request.user, outcome, language)
            messages.success(request, _g("The letter is back to the default text."))
            return redirect("review:letters")
        form = LetterTemplateForm(request.POST)
        if form.is_valid():
            try:
                letter_services.save_letter_template(request.user, outcome, language, **form.cleaned_data)
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _g("The letter was saved."))
                return redirect("review:letters")
        status = 400
    else:
        form = LetterTemplateForm(initial={"subject": subject, "body": body})
        status = 200
    return render(request, "partners/review/letter_edit.html",
                  {"form": form, "outcome": outcome, "outcome_label": letter_services.OUTCOMES[outcome],
                   "language": language, "placeholders": letter_services.PLACEHOLDERS}, status=status)
