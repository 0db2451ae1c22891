"""URLs of the public notice (公示) and its objection form."""

from django.urls import path

from . import publicity

app_name = "publicity"
urlpatterns = [
    path("", publicity.publicity_list, name="list"),
    path("<uuid:public_id>/objection/", publicity.objection, name="objection"),
    path("<uuid:public_id>/notice.pdf", publicity.notice_pdf, name="notice_pdf"),
]
