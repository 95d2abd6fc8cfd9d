from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "dayi.evaluation"
    label = "evaluation"
    verbose_name = "开放共享评价考核 (evaluation)"
