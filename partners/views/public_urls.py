"""URLs of the public site."""

from django.urls import path

from . import member_certificate, public

app_name = "public"
urlpatterns = [
    path("", public.home, name="home"),
    path("members/", public.directory_page, name="directory"),
    path("members/export.csv", public.roster_csv, name="roster_csv"),
    path("members/export.xlsx", public.roster_xlsx, name="roster_xlsx"),
    # Before members/<number>/: member numbers (BJAI-2026-00001) never read "revoked".
    path("members/revoked/", public.revoked_page, name="revoked"),
    path("members/<str:number>/", public.member_page, name="member"),
    path("statistics/", public.statistics_page, name="statistics"),
    path("certificates/<uuid:token>/", member_certificate.verify, name="certificate"),
]
