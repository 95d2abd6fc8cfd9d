from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "dayi.portal"
    label = "portal"
    verbose_name = "The public portal"
