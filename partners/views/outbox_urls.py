"""URLs of the staff outbox screen."""

from django.urls import path

from . import outbox

app_name = "outbox"
urlpatterns = [
    path("", outbox.outbox_list, name="list"),
    path("<int:pk>/", outbox.outbox_detail, name="detail"),
    path("<int:pk>/resend/", outbox.resend, name="resend"),
]
