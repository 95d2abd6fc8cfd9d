from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "dayi.stats"
    label = "stats"
    verbose_name = "统计与闲置 (utilisation)"
