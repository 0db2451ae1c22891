"""The portal's document pages of a process's object (a verification case, a subsidy claim): upload, download
and delete, each on an object the person acts for, through the process's own services.

The services run every check of an upload: the size, the type sniffed and the file parsed
(services/upload_checks.py), who may add or delete, and the state the object must be in.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _g
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from ..services import uploads
from ..services.applications import ServiceError


def file_response(document):
    """A stored document as a download, under its original name; browsers must not guess another type."""
    response = FileResponse(document.file.open("rb"), content_type=document.content_type, as_attachment=True,
                            filename=document.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@dataclass(frozen=True)
class ProcessDocuments:
    """What one process's document pages need; `views()` makes the pages its URLs name."""

    owned: Callable  # (user, pk) -> the person's own object; any other answers 404 (whether it exists is not told)
    document_model: type
    owner_field: str  # the document's foreign key to the object
    form_class: type  # a form with `kind` and `file`
    add_document: Callable  # the service: (user, obj, uploaded, kind) -> the document
    delete_document: Callable  # the service: (user, document)
    page: str  # the URL name of the object's page, which takes its pk
    template: str  # the object's page, shown again with the form's errors
    context: Callable  # (request, obj, **extra) -> the context of that page

    def document_of(self, obj, document_id):
        return get_object_or_404(self.document_model, pk=document_id, **{self.owner_field: obj})

    def views(self):
        """(add, download, delete): upload a document, download one of the object's, delete one."""

        @csrf_exempt
        def add(request, pk):
            # The size-limit handler must be in place before the body is read, which the CSRF check does: an
            # oversized file then stops being stored at the limit instead of reaching the disk whole.
            try:
                request.upload_handlers.insert(0, uploads.SizeLimitUploadHandler(request))
            except AttributeError:
                pass  # the body was already read; the upload service still refuses a large file
            return checked_add(request, pk)

        @csrf_protect
        @login_required
        @require_POST
        def checked_add(request, pk):
            obj = self.owned(request.user, pk)
            form = self.form_class(request.POST, request.FILES)
            if getattr(request, "upload_too_large", False):
                form.add_error("file", _g("The file is larger than allowed."))
            if form.is_valid():
                try:
                    self.add_document(request.user, obj, form.cleaned_data["file"], form.cleaned_data["kind"])
                except ServiceError as exc:
                    form.add_error("file" if exc.field == "file" else None, exc.message)
                else:
                    messages.success(request, _g("The document was added."))
                    return redirect(self.page, pk=obj.pk)
            return render(request, self.template, self.context(request, obj, document_form=form), status=400)

        @login_required
        def download(request, pk, document_id):
            """The person's own document (staff download theirs from the staff pages)."""
            return file_response(self.document_of(self.owned(request.user, pk), document_id))

        @login_required
        @require_POST
        def delete(request, pk, document_id):
            obj = self.owned(request.user, pk)
            document = self.document_of(obj, document_id)
            try:
                self.delete_document(request.user, document)
            except ServiceError as exc:
                messages.error(request, exc.message)
            return redirect(self.page, pk=obj.pk)

        return add, download, delete
