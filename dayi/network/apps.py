from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "dayi.network"
    label = "network"
    verbose_name = "Regions, platforms and institutions"
