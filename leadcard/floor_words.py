"""The words a sales floor writes for a lead's source (信息来源) and its online platform, as data:
the policy's default tables, which a store extends in its TOML (`[sources.referral] words = [...]`,
`[sources.online.platforms]`). Pure values; `schedule.Policy` carries them, `parse` reads them."""

from __future__ import annotations

import re
import unicodedata

# word → one of the contract's sources (model.Source values).
SOURCE_WORDS: dict[str, str] = {
    **dict.fromkeys(("walk-in", "walkin", "展厅", "到店", "来店", "进店", "自然到店", "自然进店", "自然来店",
                     "展厅到店", "展厅接待", "展厅客流", "自然客流", "自来客"), "walk-in"),
    **dict.fromkeys(("phone-in", "phone", "来电", "电话", "来电咨询", "电话咨询", "电话来电"), "phone-in"),
    **dict.fromkeys(("online", "网络", "平台", "网络/平台", "网销", "网电", "线上", "电商", "互联网",
                     "网络线索", "线上线索"), "online"),
    **dict.fromkeys(("show", "auto-show", "车展", "外展", "巡展", "展会", "车展活动"), "show"),
    **dict.fromkeys(("referral", "转介绍", "介绍", "老客户介绍", "老客介绍", "老客户转介绍", "老带新", "老客户推荐",
                     "朋友介绍", "亲友介绍", "客户介绍", "熟人介绍", "员工介绍", "推荐"), "referral"),
    **dict.fromkeys(("hotline", "400", "400电话", "400来电", "400热线", "热线", "厂家400", "厂家热线"), "hotline"),
    **dict.fromkeys(("other", "其他", "其它", "外拓", "活动", "市场活动"), "other"),
}

# word → the platform's one spelling: naming a platform as the source makes an online lead from it.
PLATFORM_WORDS: dict[str, str] = {
    "汽车之家": "汽车之家", "autohome": "汽车之家", "懂车帝": "懂车帝", "dongchedi": "懂车帝",
    "易车": "易车", "易车网": "易车", "yiche": "易车", "bitauto": "易车", "抖音": "抖音", "douyin": "抖音",
    "官网": "官网", "厂家官网": "官网", "website": "官网", "天猫": "天猫", "tmall": "天猫",
    "太平洋汽车": "太平洋汽车", "太平洋汽车网": "太平洋汽车", "pcauto": "太平洋汽车",
    "爱卡汽车": "爱卡汽车", "爱卡": "爱卡汽车", "xcar": "爱卡汽车",
    "快手": "快手", "小红书": "小红书", "微信公众号": "微信公众号", "视频号": "视频号", "车质网": "车质网",
}

_SPACES = re.compile(r"\s+")
# What the floor adds around the word itself: 转介绍客户, 网络线索, 汽车之家APP.
_SUFFIXES = ("客户", "线索", "渠道", "来源", "app")


def word_key(raw: str | None) -> str:
    """A word as the tables compare it: full-width folded (NFKC), case folded, without spaces."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", raw or "")).lower()


def find_word(table: dict[str, str], raw: str | None) -> str | None:
    """The table's value for a word, also when written with a suffix (汽车之家APP, 老带新客户)."""
    key = word_key(raw)
    if key in table:
        return table[key]
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and key[: -len(suffix)] in table:
            return table[key[: -len(suffix)]]
    return None
