from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dayi.core"
    label = "core"
    verbose_name = "Dayi core"
