"""URLs of the data catalogue, the showcase of cases and the plan's dashboard."""

from django.urls import path

from . import catalogue, plan_dashboard, showcase

app_name = "catalogue"
urlpatterns = [
    path("data/", catalogue.datasets, name="datasets"),
    path("data/demands/", catalogue.demands, name="demands"),
    path("data/sets/<uuid:public_id>/", catalogue.dataset_detail, name="dataset"),
    path("data/demands/<uuid:public_id>/", catalogue.demand_detail, name="demand"),
    path("data/<str:kind>/<uuid:public_id>/introduce/", catalogue.request_introduction, name="introduce"),
    path("data/introductions/<uuid:public_id>/answer/", catalogue.answer_introduction, name="answer"),
    path("portal/catalogue/", catalogue.mine, name="mine"),
    path("portal/catalogue/new/<str:kind>/", catalogue.new_entry, name="new"),
    path("portal/catalogue/<str:kind>/<uuid:public_id>/edit/", catalogue.edit_entry, name="edit"),
    path("portal/catalogue/<str:kind>/<uuid:public_id>/withdraw/", catalogue.withdraw_entry, name="withdraw"),
    path("portal/cases/new/", showcase.new_case, name="case_new"),
    path("portal/cases/<uuid:public_id>/edit/", showcase.edit_case, name="case_edit"),
    path("showcase/", showcase.showcase, name="showcase"),
    path("showcase/<uuid:public_id>/", showcase.case_detail, name="case"),
    path("showcase/<uuid:public_id>/actions/<str:action>/", showcase.case_action, name="case_action"),
    path("showcase/<uuid:public_id>/media/", showcase.add_media, name="case_media_add"),
    path("showcase/<uuid:public_id>/media/<int:media_id>/", showcase.media, name="case_media"),
    path("plan/", plan_dashboard.summary, name="summary"),
    path("staff/catalogue/", catalogue.moderation, name="moderation"),
    path("staff/catalogue/<str:kind>/<uuid:public_id>/", catalogue.moderate, name="moderate"),
    path("staff/cases/", showcase.case_queue, name="case_queue"),
    path("staff/cases/<uuid:public_id>/designate/", showcase.designate, name="designate"),
    path("staff/plan/", plan_dashboard.office, name="dashboard"),
    path("staff/plan/export.csv", plan_dashboard.export, name="dashboard_csv"),
    path("staff/plan/targets/", plan_dashboard.targets, name="targets"),
]
