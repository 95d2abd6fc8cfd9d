from django.urls import path

from dayi.ratings import views

app_name = "ratings"

urlpatterns = [
    path("orders/<int:order_id>/rate/", views.rate, name="rate"),
    path("ratings/<int:rating_id>/reply/", views.reply, name="reply"),
]
