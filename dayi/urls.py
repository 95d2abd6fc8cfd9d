from django.contrib import admin
from django.urls import include, path

from dayi.accounts.api import router as accounts_router
from dayi.api import api
from dayi.booking.api import router as booking_router
from dayi.booking.api_desk import router as booking_desk_router
from dayi.booking.api_feeds import router as booking_feeds_router
from dayi.core import views as core_views
from dayi.demands.api import router as demands_router
from dayi.directory.api import router as directory_router
from dayi.directory.api_transfer import router as transfer_router
from dayi.evaluation.api import router as evaluation_router
from dayi.network.api import router as network_router
from dayi.orders.api import router as orders_router
from dayi.ratings.api import router as ratings_router
from dayi.statements.api import router as statements_router
from dayi.stats.api import router as stats_router
from dayi.vouchers.api import router as vouchers_router

api.add_router("", accounts_router)
api.add_router("", network_router)
# Import/export first: "/instruments/import" must not be read as "/instruments/{id}".
api.add_router("", transfer_router)
api.add_router("", directory_router)
api.add_router("", booking_router)
api.add_router("", booking_feeds_router)
api.add_router("", booking_desk_router)
api.add_router("", orders_router)
api.add_router("", ratings_router)
api.add_router("", demands_router)
api.add_router("", statements_router)
api.add_router("", vouchers_router)
api.add_router("", stats_router)
api.add_router("", evaluation_router)

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("manage/network/", include("dayi.network.urls")),
    path("manage/people/", include("dayi.accounts.people_urls")),
    path("manage/", include("dayi.directory.urls")),
    path("", include("dayi.booking.urls")),
    path("", include("dayi.orders.urls")),
    path("", include("dayi.ratings.urls")),
    path("", include("dayi.demands.urls")),
    path("", include("dayi.statements.urls")),
    path("", include("dayi.vouchers.urls")),
    path("", include("dayi.stats.urls")),
    path("", include("dayi.evaluation.urls")),
    path("", include("dayi.accounts.urls")),
    path("", include("dayi.portal.urls")),
]

handler400 = "dayi.core.views.bad_request"
handler403 = "dayi.core.views.permission_denied"
handler404 = "dayi.core.views.page_not_found"
handler500 = "dayi.core.views.server_error"
