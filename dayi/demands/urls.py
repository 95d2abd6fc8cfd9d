from django.urls import path

from dayi.demands import views

app_name = "demands"

urlpatterns = [
    path("demands/", views.board, name="board"),
    path("demands/<int:demand_id>/", views.detail, name="detail"),
    path("demands/<int:demand_id>/quote/", views.quote, name="quote"),
    path("demands/<int:demand_id>/close/", views.close, name="close"),
    path("demand-quotes/<int:quote_id>/accept/", views.accept, name="accept"),
]
