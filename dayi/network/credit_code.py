"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet (digits and capitals without I, O, S, V, Z): registration
authority, organisation kind, the 6-digit GB/T 2260 region, the 9-character organisation code, and a
check character computed with weights 3^i mod 31.
"""

from __future__ import annotations

from django.utils.translation import gettext

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = [
    pow(3, i, 31) for i in range(17)
]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28


def check_character(first17: str) -> str:
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def problem(code: str) -> str | None:
    """Why ``code`` is not a valid credit code, or None when it is."""
    if len(code) != 18:
        return gettext("统一社会信用代码应为18位")
    bad = [ch for ch in code if ch not in _VALUE]
    if bad:
        return gettext("含有非法字符 %(bad)s") % {"bad": f"{bad[0]!r}"}
    if not code[2:8].isdigit():
        return gettext("第3-8位应为行政区划代码")
    if check_character(code[:17]) != code[17]:
        return gettext("校验码错误")
    return None


def is_valid(code: str) -> bool:
    return problem(code) is None


def make(prefix17: str) -> str:
    """Complete 17 characters with their check character (used by the demo data generator)."""
    return prefix17 + check_character(prefix17)
