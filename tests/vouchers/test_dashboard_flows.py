"""The utilisation dashboard shows the voucher flows of its level (issue 7's "voucher flows" panel)."""

from __future__ import annotations

import pytest
from django.test import Client

from dayi.accounts.models import User
from dayi.network.models import Institution
from dayi.vouchers import services
from dayi.vouchers.models import Voucher
from tests.conftest import NOW
from tests.vouchers.conftest import act, delivered_order

pytestmark = pytest.mark.django_db


def _flows_panel(html: str) -> str:
    start = html.index('id="t-flows"')
    return html[start : html.index("</section>", start)]


def test_the_dashboard_shows_the_flows_that_touch_its_province(
    cathy: User, sme: Institution, people: dict[str, User], voucher: Voucher
) -> None:
    # Given a Shanghai company's voucher paid 1,500 of a service at 浙江大学 (Hangzhou)
    order = delivered_order(cathy, sme, voucher.scheme.funder, people["alice"], "3000.00")
    services.apply_voucher_to_order(act(cathy), order.pk, voucher.number, now=NOW)
    # Then the nation's and Zhejiang's dashboards show the Shanghai → Zhejiang flow, Beijing's does not
    for query in ("", "?region=330000"):
        panel = _flows_panel(Client().get(f"/stats/{query}").content.decode())
        assert "上海市" in panel and "浙江省" in panel and "1500.00" in panel, query
    beijing = _flows_panel(Client().get("/stats/?region=110000").content.decode())
    assert "上海市" not in beijing and "尚无创新券支付的服务" in beijing
