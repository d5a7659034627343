"""Unified social credit codes (GB 32100-2015) checked part by part (issue 17 points 3 and 6).

The known-good codes are real registrations, each published by its holder or in the standard:
- 91350100M000100Y43: the example GB 32100-2015 itself prints (a Fuzhou company);
- 91110000802100433B: 北京百度网讯科技有限公司 (its licence, shown on baidu.com's footer link);
- 91440300708461136T: 深圳市腾讯计算机系统有限公司 (its licence, shown on qq.com);
- 91110000600037341L: a Beijing company, used as a valid vector by several published validators.
Each was also recomputed by hand: the organisation code's check over its eight characters
(GB 11714) and the final check over seventeen (GB 32100), see `test_check_characters_by_hand`.
"""

import re
from pathlib import Path

import pytest

from domain.credit_code import (
    ALPHABET,
    PROVINCES,
    CreditCodeError,
    check_character,
    complete,
    normalise,
    organisation_check,
    parse,
)

KNOWN_GOOD = ["91350100M000100Y43", "91110000802100433B", "91440300708461136T", "91110000600037341L"]


@pytest.mark.parametrize("code", KNOWN_GOOD)
def test_real_codes_pass(code: str) -> None:
    assert parse(code).value == code


def test_check_characters_by_hand() -> None:
    # GB 11714 over M000100Y: M=22, Y=34 -> 22*3 + 1*5 + 34*2 = 139; 139 mod 11 = 7; 11 - 7 = 4.
    assert organisation_check("M000100Y") == "4"
    # 60003734: 6*3 + 3*5 + 7*8 + 3*4 + 4*2 = 109; 109 mod 11 = 10; 11 - 10 = 1.
    assert organisation_check("60003734") == "1"
    # GB 32100 over 91350100M000100Y4 (M=21, Y=30 in the 31-character alphabet): the sum is 1640,
    # 989 mod 31 = 28, 31 - 28 = 3.
    values = [ALPHABET.index(c) for c in "91350100M000100Y4"]
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    assert sum(v * w for v, w in zip(values, weights, strict=True)) == 1640
    assert check_character("91350100M000100Y4") == "3"


def test_the_check_characters_wrap_as_the_standards_say() -> None:
    # GB 11714: a remainder 1 gives 10, written X; a remainder 0 gives 11, written 0.
    # 00000006: 6*2 = 12, 12 mod 11 = 1, 11 - 1 = 10 -> X; 00000005: 10 mod 11 = 10, 11 - 10 = 1;
    # 00000000: 0 mod 11 = 0, 11 - 0 = 11 -> 0.
    bodies = {body: organisation_check(body) for body in ("00000006", "00000005", "00000000")}
    assert bodies == {"00000006": "X", "00000005": "1", "00000000": "0"}
    # GB 32100: a remainder 0 gives 31, written 0.
    assert check_character("0" * 17) == "0"


def test_built_codes_pass_and_every_single_typo_is_caught() -> None:
    code = complete("91450300" + "7Q8K2M4N")
    assert parse(code).value == code
    for position in range(8, 18):  # the organisation code and the check: free characters
        for char in ALPHABET:
            if char == code[position]:
                continue
            typo = code[:position] + char + code[position + 1 :]
            with pytest.raises(CreditCodeError) as refused:
                parse(typo)
            assert refused.value.code in ("credit_code_organisation_check", "credit_code_check"), typo


def test_what_a_person_copies_is_normalised() -> None:
    assert normalise(" 9135 0100-m000 100y43 ") == "91350100M000100Y43"
    assert parse("91350100m000100y43").value == "91350100M000100Y43"


@pytest.mark.parametrize(
    ("code", "reason", "words"),
    [
        ("91350100M000100Y4", "credit_code_length", "18 characters, this one has 17"),
        ("91350100M000100Y433", "credit_code_length", "this one has 19"),
        ("91350100M0001O0Y43", "credit_code_characters", "not O"),
        ("9135010OM000100Y43", "credit_code_characters", "not O"),
        ("B1350100M000100Y43", "credit_code_authority", "B (the first character)"),
        ("94350100M000100Y43", "credit_code_type", "4 (the second character)"),
        ("Y2350100M000100Y43", "credit_code_type", "authority Y"),
        ("91990100M000100Y43", "credit_code_division", "990100"),
        ("9135A100M000100Y43", "credit_code_division", "35A100"),
        ("91350100M000100Y53", "credit_code_organisation_check", "M000100Y-5"),
        ("91350100M000100Y44", "credit_code_check", "last character"),
        ("91350100M000010Y43", "credit_code_organisation_check", "M000010Y"),  # swapped neighbours
    ],
)
def test_each_fault_has_its_own_reason(code: str, reason: str, words: str) -> None:
    with pytest.raises(CreditCodeError) as refused:
        parse(code)
    assert refused.value.code == reason
    assert words in refused.value.message


def test_a_national_registration_has_division_100000() -> None:
    code = complete("91100000" + "10001234")
    assert parse(code).division == "100000"


def test_the_parts_read_back() -> None:
    code = parse("91350100M000100Y43")
    assert (code.authority.zh, code.organisation_type.zh, code.division, code.organisation_code) == (
        "工商",
        "企业",
        "350100",
        "M000100Y-4",
    )


def test_the_registration_reads_out_in_words_in_both_languages() -> None:
    """Authority, type and region decoded (GB 32100-2015; the region is the division's province)."""
    fujian = parse("91350100M000100Y43")
    assert (fujian.authority.en, fujian.organisation_type.en, fujian.region.zh, fujian.region.en) == (
        "market regulation",
        "enterprise",
        "福建省",
        "Fujian",
    )
    association = parse(complete("51450300" + "10001234"))
    assert (association.authority.say("zh-CN"), association.organisation_type.say("en")) == (
        "民政",
        "social organisation",
    )
    assert association.region.say("zh-CN") == "广西壮族自治区"
    assert parse(complete("91100000" + "10001234")).region.en == "national registry"


def test_every_province_code_has_a_name_in_both_languages() -> None:
    for prefix, words in PROVINCES.items():
        assert len(prefix) == 2 and prefix.isdigit()
        assert words.zh and words.en and words.zh != words.en
    assert {"11", "31", "44", "45", "65", "81", "82"} <= PROVINCES.keys()


def test_the_codes_the_readme_walk_offers_are_valid() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    offered = re.findall(r"`([0-9A-Z]{18})`", readme)
    assert len(offered) == 2 and len(set(offered)) == 2  # a contractor and an inspector, one code each
    for code in offered:
        assert parse(code).value == code
