"""The unified social credit code (统一社会信用代码, GB 32100-2015), checked before a business registers.

Eighteen characters from a 31-character alphabet (digits and the capitals without
I, O, Z, S, V, so none is read as another):

- 1: the registration authority (登记管理部门代码), e.g. 9 market regulation (工商), 5 civil affairs;
- 2: the type of organisation within that authority (机构类别代码), e.g. 91 a company, 92 a sole trader;
- 3-8: the administrative division of the registering office (GB/T 2260);
- 9-17: the organisation code (组织机构代码, GB 11714): eight characters and its own check character;
- 18: the check character over the seventeen before it.

Every refusal names what is wrong (`CreditCodeError.code`) so a person can find the typo: a
check character catches a single mistyped character and most swapped neighbours.

Decided here: the division is checked by its form (six digits under a known province, or
100000 for the national registry), not against the full GB/T 2260 table, which changes every
year and would refuse a real licence of a newly created county. Input is upper-cased and
stripped of spaces first, since a licence is copied by hand and the code is case-free.
"""

import re
from dataclasses import dataclass

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of GB 32100, in value order: a character's value is its index."""

CHECK_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
"""3^i mod 31 for positions 1-17 (GB 32100-2015, 5.3)."""

ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
"""GB 11714-1997, 5.2: weights of the organisation code's eight body characters."""

AUTHORITY_TYPES: dict[str, dict[str, str]] = {
    "1": {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"},
    "2": {"1": "外国常驻新闻机构", "9": "其他"},
    "3": {
        "1": "律师执业机构",
        "2": "公证处",
        "3": "基层法律服务所",
        "4": "司法鉴定机构",
        "5": "仲裁委员会",
        "9": "其他",
    },
    "4": {"1": "外国在华文化中心", "9": "其他"},
    "5": {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"},
    "6": {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    "7": {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"},
    "8": {"1": "基层工会", "9": "其他"},
    "9": {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"},
    "A": {"1": "军队事业单位", "9": "其他"},
    "N": {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"},
    "Y": {"1": "其他"},
}
"""The registration authorities and the organisation types each assigns (GB 32100-2015, 4.1-4.2,
with the codes added since: A for the military's institutions, N for rural collectives)."""

AUTHORITIES = {
    "1": "机构编制",
    "2": "外交",
    "3": "司法行政",
    "4": "文化",
    "5": "民政",
    "6": "旅游",
    "7": "宗教",
    "8": "工会",
    "9": "工商",
    "A": "中央军委改革和编制办公室",
    "N": "农业",
    "Y": "其他",
}

PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46}
    | {50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82}
)
"""The first two digits of a GB/T 2260 division (provinces, municipalities, regions, SARs, Taiwan)."""

NATIONAL_DIVISION = "100000"
"""The division code of a registration made by a national office rather than a local one."""

_SHAPE = re.compile(f"[{ALPHABET}]{{18}}")


class CreditCodeError(ValueError):
    """A code refused, with a machine `code` for the API and a sentence for the person."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class CreditCode:
    """A code that passed every check, and what its parts say (printed on the public record)."""

    value: str

    @property
    def authority(self) -> str:
        return AUTHORITIES[self.value[0]]

    @property
    def organisation_type(self) -> str:
        return AUTHORITY_TYPES[self.value[0]][self.value[1]]

    @property
    def division(self) -> str:
        return self.value[2:8]

    @property
    def organisation_code(self) -> str:
        return f"{self.value[8:16]}-{self.value[16]}"


def normalise(text: str) -> str:
    """Upper case without spaces or hyphens: what a person copies from a licence, made comparable."""
    return re.sub(r"[\s-]", "", text).upper()


def organisation_check(body: str) -> str:
    """GB 11714's check character over the eight body characters (digits, A=10 ... Z=35)."""
    total = sum(int(char, 36) * weight for char, weight in zip(body, ORG_CODE_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def check_character(first17: str) -> str:
    """GB 32100's check character over the first seventeen characters."""
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(first17, CHECK_WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def parse(text: str) -> CreditCode:
    """The code, checked part by part in reading order; `CreditCodeError` names the first fault."""
    code = normalise(text)
    if len(code) != 18:
        raise CreditCodeError(
            "credit_code_length", f"a unified social credit code has 18 characters, this one has {len(code)}"
        )
    if not _SHAPE.fullmatch(code):
        wrong = sorted({char for char in code if char not in ALPHABET})
        raise CreditCodeError(
            "credit_code_characters",
            "a unified social credit code uses digits and capitals other than I, O, Z, S and V,"
            f" not {''.join(wrong)}",
        )
    types = AUTHORITY_TYPES.get(code[0])
    if types is None:
        raise CreditCodeError(
            "credit_code_authority", f"{code[0]} (the first character) is no registration authority's code"
        )
    if code[1] not in types:
        raise CreditCodeError(
            "credit_code_type",
            f"{code[1]} (the second character) is no type of organisation authority {code[0]} registers",
        )
    division = code[2:8]
    if division != NATIONAL_DIVISION and (not division.isdigit() or int(division[:2]) not in PROVINCES):
        raise CreditCodeError(
            "credit_code_division", f"{division} (characters 3 to 8) is no administrative division code"
        )
    if organisation_check(code[8:16]) != code[16]:
        raise CreditCodeError(
            "credit_code_organisation_check",
            f"the organisation code {code[8:16]}-{code[16]} (characters 9 to 17) fails its check character",
        )
    if check_character(code[:17]) != code[17]:
        raise CreditCodeError(
            "credit_code_check", "the last character does not match the rest: a character is mistyped"
        )
    return CreditCode(code)


def complete(first16: str) -> str:
    """A whole code from its first sixteen characters: both check characters computed.

    For fixtures and demos that need a valid code of their own (a business's real code comes
    from its licence).
    """
    first17 = first16 + organisation_check(first16[8:16])
    return first17 + check_character(first17)
