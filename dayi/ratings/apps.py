from django.apps import AppConfig


class RatingsConfig(AppConfig):
    name = "dayi.ratings"
    label = "ratings"
