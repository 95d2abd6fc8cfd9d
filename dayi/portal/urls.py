from django.urls import path

from dayi.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("instruments/", views.instrument_list, name="instruments"),
    path("instruments/<int:instrument_id>/", views.instrument_detail, name="instrument"),
    path("institutions/<int:institution_id>/", views.institution_detail, name="institution"),
    path("platforms/<slug:code>/", views.platform_detail, name="platform"),
    path("experts/", views.expert_list, name="experts"),
]
