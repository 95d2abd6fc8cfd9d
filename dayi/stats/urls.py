from django.urls import path

from dayi.stats import views

app_name = "stats"

urlpatterns = [
    path("stats/", views.board, name="board"),
    path("stats/idle/", views.idle_list, name="idle"),
    path("stats/idle/<int:instrument_id>/notice/", views.notice, name="notice"),
    path("stats/idle/<int:instrument_id>/transfer/", views.transfer, name="transfer"),
    path("stats/duplicate-check/", views.duplicate_check, name="duplicate_check"),
]
