from django.urls import path

from dayi.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("evaluations/", views.runs, name="runs"),
    path("evaluations/history/", views.history, name="history"),
    path("evaluations/<int:evaluation_id>/", views.detail, name="detail"),
    path("evaluations/<int:evaluation_id>/publish/", views.publish, name="publish"),
    path("evaluations/<int:evaluation_id>/export.<str:file_format>", views.export, name="export"),
    path("evaluations/<int:evaluation_id>/institutions/<int:institution_id>/", views.result, name="result"),
    path("evaluations/config/<slug:platform>/<int:year>/", views.config, name="config"),
    path("evaluations/inputs/<slug:platform>/<int:year>/", views.inputs, name="inputs"),
]
