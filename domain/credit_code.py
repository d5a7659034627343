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


@dataclass(frozen=True)
class Words:
    """A name in Chinese and in English: the public record and the council's pages print a code's
    registration in the reader's language."""

    zh: str
    en: str

    def say(self, language: str) -> str:
        return self.en if language == "en" else self.zh


OTHER = Words("其他", "other")

AUTHORITY_TYPES: dict[str, dict[str, Words]] = {
    "1": {
        "1": Words("机关", "government body"),
        "2": Words("事业单位", "public institution"),
        "3": Words(
            "中央编办直接管理机构编制的群众团体",
            "mass organisation staffed by the central establishment office",
        ),
        "9": OTHER,
    },
    "2": {"1": Words("外国常驻新闻机构", "resident foreign news agency"), "9": OTHER},
    "3": {
        "1": Words("律师执业机构", "law firm"),
        "2": Words("公证处", "notary office"),
        "3": Words("基层法律服务所", "local legal service office"),
        "4": Words("司法鉴定机构", "forensic appraisal body"),
        "5": Words("仲裁委员会", "arbitration commission"),
        "9": OTHER,
    },
    "4": {"1": Words("外国在华文化中心", "foreign cultural centre in China"), "9": OTHER},
    "5": {
        "1": Words("社会团体", "social organisation"),
        "2": Words("民办非企业单位", "private non-enterprise unit"),
        "3": Words("基金会", "foundation"),
        "9": OTHER,
    },
    "6": {
        "1": Words("外国旅游部门常驻代表机构", "resident office of a foreign tourism authority"),
        "2": Words(
            "港澳台地区旅游部门常驻内地（大陆）代表机构",
            "resident office of a Hong Kong, Macao or Taiwan tourism authority",
        ),
        "9": OTHER,
    },
    "7": {
        "1": Words("宗教活动场所", "place of religious activity"),
        "2": Words("宗教院校", "religious college"),
        "9": OTHER,
    },
    "8": {"1": Words("基层工会", "local trade union"), "9": OTHER},
    "9": {
        "1": Words("企业", "enterprise"),
        "2": Words("个体工商户", "individual business"),
        "3": Words("农民专业合作社", "farmers' cooperative"),
    },
    "A": {"1": Words("军队事业单位", "military public institution"), "9": OTHER},
    "N": {
        "1": Words("组级集体经济组织", "group-level rural collective"),
        "2": Words("村级集体经济组织", "village-level rural collective"),
        "3": Words("乡镇级集体经济组织", "township-level rural collective"),
        "9": OTHER,
    },
    "Y": {"1": OTHER},
}
"""The registration authorities and the organisation types each assigns (GB 32100-2015, 4.1-4.2,
with the codes added since: A for the military's institutions, N for rural collectives)."""

AUTHORITIES = {
    "1": Words("机构编制", "establishment administration"),
    "2": Words("外交", "foreign affairs"),
    "3": Words("司法行政", "judicial administration"),
    "4": Words("文化", "culture"),
    "5": Words("民政", "civil affairs"),
    "6": Words("旅游", "tourism"),
    "7": Words("宗教", "religious affairs"),
    "8": Words("工会", "trade unions"),
    "9": Words("工商", "market regulation"),
    "A": Words("中央军委改革和编制办公室", "Central Military Commission reform and establishment office"),
    "N": Words("农业", "agriculture"),
    "Y": OTHER,
}
"""The registration authority a code's first character names (GB 32100-2015, 4.1)."""

PROVINCES: dict[str, Words] = {
    "11": Words("北京市", "Beijing"),
    "12": Words("天津市", "Tianjin"),
    "13": Words("河北省", "Hebei"),
    "14": Words("山西省", "Shanxi"),
    "15": Words("内蒙古自治区", "Inner Mongolia"),
    "21": Words("辽宁省", "Liaoning"),
    "22": Words("吉林省", "Jilin"),
    "23": Words("黑龙江省", "Heilongjiang"),
    "31": Words("上海市", "Shanghai"),
    "32": Words("江苏省", "Jiangsu"),
    "33": Words("浙江省", "Zhejiang"),
    "34": Words("安徽省", "Anhui"),
    "35": Words("福建省", "Fujian"),
    "36": Words("江西省", "Jiangxi"),
    "37": Words("山东省", "Shandong"),
    "41": Words("河南省", "Henan"),
    "42": Words("湖北省", "Hubei"),
    "43": Words("湖南省", "Hunan"),
    "44": Words("广东省", "Guangdong"),
    "45": Words("广西壮族自治区", "Guangxi"),
    "46": Words("海南省", "Hainan"),
    "50": Words("重庆市", "Chongqing"),
    "51": Words("四川省", "Sichuan"),
    "52": Words("贵州省", "Guizhou"),
    "53": Words("云南省", "Yunnan"),
    "54": Words("西藏自治区", "Tibet"),
    "61": Words("陕西省", "Shaanxi"),
    "62": Words("甘肃省", "Gansu"),
    "63": Words("青海省", "Qinghai"),
    "64": Words("宁夏回族自治区", "Ningxia"),
    "65": Words("新疆维吾尔自治区", "Xinjiang"),
    "71": Words("台湾省", "Taiwan"),
    "81": Words("香港特别行政区", "Hong Kong"),
    "82": Words("澳门特别行政区", "Macao"),
}
"""The provinces, municipalities, autonomous regions and special administrative regions by the
first two digits of a GB/T 2260 division code, which GB 32100-2015 (4.3) puts in characters 3-8."""

NATIONAL = Words("全国", "national registry")
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
    def authority(self) -> Words:
        return AUTHORITIES[self.value[0]]

    @property
    def organisation_type(self) -> Words:
        return AUTHORITY_TYPES[self.value[0]][self.value[1]]

    @property
    def region(self) -> Words:
        """Where it was registered: the province of the division (the national registry for 100000)."""
        return NATIONAL if self.division == NATIONAL_DIVISION else PROVINCES[self.division[:2]]

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
    if division != NATIONAL_DIVISION and (not division.isdigit() or division[:2] not in PROVINCES):
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
