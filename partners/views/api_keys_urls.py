"""URLs of the API key screens."""

from django.urls import path

from . import api_keys

app_name = "keys"
urlpatterns = [
    path("", api_keys.key_list, name="list"),
    path("<int:pk>/revoke/", api_keys.key_revoke, name="revoke"),
]
