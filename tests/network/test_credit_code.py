"""The unified social credit code check (GB 32100-2015) on real codes and on broken ones."""

from __future__ import annotations

import pytest

from dayi.network import credit_code

# Published codes of real legal entities (companies and universities).
REAL = [
    "9144030071526726XG",
    "914403001922038216",
    "91110000802100433B",
    "12100000400002259P",
    "12100000400000624D",
    "12100000470095016Q",
]


@pytest.mark.parametrize("code", REAL)
def test_it_accepts_real_codes(code: str) -> None:
    assert credit_code.problem(code) is None
    assert credit_code.is_valid(code)


@pytest.mark.parametrize("code", REAL)
def test_it_computes_the_check_character_of_real_codes(code: str) -> None:
    assert credit_code.check_character(code[:17]) == code[17]
    assert credit_code.make(code[:17]) == code


@pytest.mark.parametrize("code", REAL)
def test_it_refuses_every_other_check_character(code: str) -> None:
    for wrong in credit_code.ALPHABET.replace(code[17], ""):
        assert "校验码" in (credit_code.problem(code[:17] + wrong) or "")


@pytest.mark.parametrize("code", REAL)
def test_it_notices_two_swapped_characters(code: str) -> None:
    # The weights differ at every position, so swapping two different neighbours breaks the check.
    i = next(i for i in range(2, 16) if code[i] != code[i + 1])
    swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]

    assert not credit_code.is_valid(swapped)


@pytest.mark.parametrize(
    "code",
    [
        "",
        "9144030071526726X",  # 17: the check character missing
        "91440300715267266XG",  # 19
        "9144030071526726XG ",  # a trailing space is a 19th character
    ],
)
def test_it_refuses_a_wrong_length(code: str) -> None:
    assert "18" in (credit_code.problem(code) or "")


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_it_refuses_the_letters_the_standard_leaves_out(letter: str) -> None:
    # I, O, Z, S and V look like 1, 0, 2, 5 and U; GB 32100 does not use them.
    code = "91440300" + letter + "1526726X"
    code += "G"

    assert "非法字符" in (credit_code.problem(code) or "")


def test_it_refuses_lowercase_letters() -> None:
    # The check itself is strict; the institution service upper-cases what people type before checking.
    assert not credit_code.is_valid("9144030071526726xg")
    assert credit_code.is_valid("9144030071526726xg".upper())


def test_it_requires_a_region_code_in_characters_three_to_eight() -> None:
    assert "行政区划" in (credit_code.problem(credit_code.make("91A4030071526726X")) or "")


def test_the_check_character_can_be_a_digit_zero() -> None:
    # (31 - total % 31) % 31 == 0 when the total is a multiple of 31: the check character is "0", not "31".
    prefix = next(
        f"9111000080210{n:04d}"
        for n in range(10000)
        if credit_code.check_character(f"9111000080210{n:04d}") == "0"
    )
    assert credit_code.is_valid(prefix + "0")
