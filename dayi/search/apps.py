from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "dayi.search"
    label = "search"
    verbose_name = "Instrument search"

    def ready(self) -> None:
        from django.core.signals import request_finished, request_started

        from dayi.search import memo

        request_started.connect(memo.start, dispatch_uid="dayi.search.memo.start")
        request_finished.connect(memo.finish, dispatch_uid="dayi.search.memo.finish")
