from django.urls import path

from dayi.vouchers import views

app_name = "vouchers"

urlpatterns = [
    path("vouchers/", views.index, name="index"),
    path("vouchers/funded/", views.funded, name="funded"),
    path("vouchers/flows/", views.flows, name="flows"),
    path("vouchers/wallet/", views.wallet, name="wallet"),
    path("vouchers/wallet/use/", views.use_voucher, name="use"),
    path("vouchers/wallet/claim/", views.claim, name="claim"),
    path("vouchers/apply/", views.apply, name="apply"),
    path("vouchers/new-scheme/", views.new_scheme, name="new_scheme"),
    path("vouchers/schemes/<slug:code>/", views.scheme, name="scheme"),
    path("vouchers/schemes/<slug:code>/terms/", views.scheme_terms, name="terms"),
    path("vouchers/schemes/<slug:code>/recognitions/", views.recognitions, name="recognitions"),
    path("vouchers/schemes/<slug:code>/listing/", views.request_listing, name="request_listing"),
    path("vouchers/schemes/<slug:code>/ledger/", views.ledger, name="ledger"),
    path("vouchers/schemes/<slug:code>/queue/", views.queue, name="queue"),
    path(
        "vouchers/schemes/<slug:code>/queue/applications/<int:application_id>/approve/",
        views.approve_application,
        name="approve_application",
    ),
    path(
        "vouchers/schemes/<slug:code>/queue/applications/<int:application_id>/reject/",
        views.reject_application,
        name="reject_application",
    ),
    path(
        "vouchers/schemes/<slug:code>/queue/listings/<int:listing_id>/approve/",
        views.approve_listing,
        name="approve_listing",
    ),
    path("vouchers/schemes/<slug:code>/queue/bar/", views.bar_provider, name="bar_provider"),
    path(
        "vouchers/schemes/<slug:code>/queue/listings/<int:listing_id>/delist/",
        views.delist_provider,
        name="delist_provider",
    ),
    path(
        "vouchers/schemes/<slug:code>/queue/claims/<int:claim_id>/settle/",
        views.settle_claim,
        name="settle_claim",
    ),
    path(
        "vouchers/schemes/<slug:code>/queue/claims/<int:claim_id>/reject/",
        views.reject_claim,
        name="reject_claim",
    ),
    path("vouchers/schemes/<slug:code>/queue/settle-month/", views.settle_month, name="settle_month"),
    path("orders/<int:order_id>/voucher/", views.use_on_order, name="use_on_order"),
]
