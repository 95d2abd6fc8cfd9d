from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "dayi.notify"
    label = "notify"
    verbose_name = "Notifications and calendar feeds"
