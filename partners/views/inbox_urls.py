"""URLs of the in-app inbox and the notification preferences."""

from django.urls import path

from . import inbox

app_name = "inbox"
urlpatterns = [
    path("", inbox.inbox_list, name="list"),
    path("<int:pk>/", inbox.open_notification, name="open"),
    path("read/", inbox.mark_read, name="mark_read"),
    path("settings/", inbox.preferences, name="preferences"),
]
