from django.apps import AppConfig


class DemandsConfig(AppConfig):
    name = "dayi.demands"
    label = "demands"
