"""An institution admin adds an expert in Chromium on a 390 px phone, in Chinese and in English, from the
managers' pages; the expert is then found on the public list with the same matching as the API."""

from __future__ import annotations

from typing import Any

import pytest

from dayi.directory.models import Expert
from tests import browsing

pytestmark = browsing.BROWSER_MARKS
browser, tab = browsing.browser, browsing.tab  # the fixtures

WORDS = {
    "zh-hans": {"experts": "专家", "add": "添加专家"},
    "en": {"experts": "Experts", "add": "Add an expert"},
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_institution_admin_adds_an_expert_on_a_phone(tab: Any, people: Any, language: str) -> None:
    words, short = WORDS[language], language[:2]
    admin = tab(language)
    page = admin.sign_in("amy", "/manage/experts/")
    assert admin.fits(), "the experts list overflows a 390 px screen"
    page.locator("main").get_by_role("link", name=words["add"], exact=True).first.click()
    page.wait_for_url("**/manage/experts/new/")
    page.fill("#id_title", "副教授")
    page.fill("#id_fields_of_expertise", "核磁共振、波谱学")
    page.locator("main form.record-form button[type=submit]").click()  # no name: refused, values kept
    assert page.input_value("#id_title") == "副教授"
    assert admin.fits(), "the expert form with its errors overflows a 390 px screen"
    admin.shoot(f"experts-refused-{short}-390.png")
    page.fill("#id_name", "陈静")
    page.locator("main form.record-form button[type=submit]").click()
    page.wait_for_url("**/manage/experts/")
    assert page.locator("main").get_by_text("陈静").is_visible()
    admin.shoot(f"experts-added-{short}-390.png")
    assert Expert.objects.get(name="陈静").fields_of_expertise == ["核磁共振", "波谱学"]
    admin.goto("/experts/?q=浙江大学 波谱")
    assert page.locator("main").get_by_text("陈静").is_visible()
    assert not [e for e in admin.errors if "Content Security Policy" in e]
