from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "dayi.directory"
    label = "directory"
    verbose_name = "The instrument directory"
