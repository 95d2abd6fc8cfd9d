from django.urls import path

from dayi.statements import views

app_name = "statements"
urlpatterns = [
    path("statements/", views.pick, name="pick"),
    path("manage/service-records/", views.service_records, name="service_records"),
    path("statements/<str:kind>/<int:subject_id>/<str:period>/", views.show, name="show"),
]
