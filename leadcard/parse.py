"""Parsing at the edge: phones, dates, sources and channels typed by people, into typed values.

Everything here raises BadInput (exit 2) with one line a consultant can act on.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import PurePath
from typing import TYPE_CHECKING

from leadcard.errors import BadInput
from leadcard.floor_words import find_word
from leadcard.i18n import _
from leadcard.model import SOURCE_LABELS, STATUS_LABELS, Channel, Outcome, Source, Status
from leadcard.usertext import LazyPattern

if TYPE_CHECKING:
    from leadcard.model.deals import FinanceStatus
    from leadcard.schedule import Policy

_PHONE_NOISE = LazyPattern(r"[\s\-().·—_/]")
_MOBILE = LazyPattern(r"1[3-9]\d{9}", re.ASCII)
# Landline: area code 0xx or 0xxx, then 7 or 8 digits.
_LANDLINE = LazyPattern(r"0\d{2,3}\d{7,8}", re.ASCII)


def normalise_phone(raw: str) -> str:
    """Digits only, without +86/0086: `138-0013-8000`, `+86 13800138000`, `１３８…` are one customer."""
    if len(raw or "") == 11 and raw.isascii() and raw.isdigit() and raw[0] == "1" and raw[1] in "3456789":
        return raw  # a mobile number as stored already (an import's 100,000 of them)
    text = unicodedata.normalize("NFKC", raw or "").strip()
    text = _PHONE_NOISE.sub("", text)
    international = text.startswith(("+86", "0086"))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13 and _MOBILE.fullmatch(text[2:]):
        text = text[2:]
    if international and not _MOBILE.fullmatch(text) and not text.startswith("0"):
        text = "0" + text  # +86 10 1234 5678: dialled from abroad, the area code loses its 0
    if _MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text):
        return text
    raise BadInput(_("不是电话号码：`{raw}`（应为 1[3-9] 开头的 11 位大陆手机号，或带区号的座机号）").format(raw=raw))


def looks_like_phone(raw: str) -> bool:
    try:
        normalise_phone(raw)
    except BadInput:
        return False
    return True


def mask_phone(phone: str) -> str:
    """`13800135678` → `138****5678`; landlines keep the area code and the last four digits."""
    if len(phone) <= 7:
        return phone[:2] + "*" * (len(phone) - 4) + phone[-2:]
    return phone[:3] + "****" + phone[-4:]


def one_of(values) -> str:
    """Values a user types, listed for a message as typed (in backticks, never translated)."""
    return _("、").join(f"`{value}`" for value in values)


def lookup(words: dict, raw: str, what: str, choices: str):
    """A word typed in Chinese or English, looked up in a table of synonyms; else bad input. `what`
    names the kind of word for the message, already translated."""
    key = unicodedata.normalize("NFKC", raw or "").strip().lower()
    if key in words:
        return words[key]
    raise BadInput(_("不认识的{what} `{raw}`：可用 {choices}").format(what=what, raw=raw, choices=choices))


def parse_source(raw: str, policy: "Policy") -> Source:
    """A source as the floor writes it, by the policy's tables (floor_words, extended in the store's
    TOML): 自然到店 is walk-in, 老客户介绍 referral, a platform's name online."""
    found = find_word(policy.source_words, raw) or (find_word(policy.platforms, raw) and Source.ONLINE)
    if found:
        return Source(found)
    choices = _("{values}（或 展厅、来电、网络、车展、转介绍、400、汽车之家、懂车帝 …）").format(values=one_of(Source))
    raise BadInput(_("不认识的{what} `{raw}`：可用 {choices}").format(what=_("线索来源"), raw=raw, choices=choices))


def parse_lead_source(source: str | None, platform: str | None, policy: "Policy") -> tuple[Source | None, str | None]:
    """`--source` and `--platform` together: a platform makes the lead `online`, and a platform
    named as the source (`--source 汽车之家`) is kept as the platform. Any platform may be typed;
    the known ones are spelled one way (`autohome` is 汽车之家)."""
    kept = None
    if platform is not None:
        text = unicodedata.normalize("NFKC", platform).strip()
        if not text:
            raise BadInput(_("--platform 是空的：请写出网络平台（汽车之家、懂车帝、易车 …）"))
        kept = find_word(policy.platforms, text) or text
    if source is None:
        return (Source.ONLINE if kept else None), kept
    parsed = parse_source(source, policy)
    named = find_word(policy.platforms, source)
    if kept and parsed != Source.ONLINE:
        raise BadInput(_("平台（{platform}）只属于网络线索（online），不属于来源 {source}").format(platform=kept, source=_(SOURCE_LABELS[parsed])))
    if kept and named and kept != named:
        raise BadInput(_("来源“{source}”和平台“{platform}”对不上").format(source=source, platform=kept))
    return parsed, kept or named


_CHANNEL_WORDS = {
    "sms": Channel.SMS, "短信": Channel.SMS,
    "wechat": Channel.WECHAT, "weixin": Channel.WECHAT, "微信": Channel.WECHAT,
    "phone": Channel.PHONE, "call": Channel.PHONE, "电话": Channel.PHONE,
    "visit": Channel.VISIT, "store": Channel.VISIT, "到店": Channel.VISIT, "来店": Channel.VISIT,
    "home": Channel.HOME, "上门": Channel.HOME, "拜访": Channel.HOME,
    "test-drive": Channel.TEST_DRIVE, "testdrive": Channel.TEST_DRIVE, "试驾": Channel.TEST_DRIVE,
    "other": Channel.OTHER, "其他": Channel.OTHER,
}


def parse_channel(raw: str) -> Channel:
    return lookup(_CHANNEL_WORDS, raw, _("联系渠道"), one_of(Channel))


_OUTCOME_WORDS = {
    "reached": Outcome.REACHED, "接通": Outcome.REACHED,
    "unreachable": Outcome.UNREACHABLE, "no-answer": Outcome.UNREACHABLE, "未接通": Outcome.UNREACHABLE,
    "refused": Outcome.REFUSED, "拒接": Outcome.REFUSED, "挂断": Outcome.REFUSED,
    "wrong-number": Outcome.WRONG_NUMBER, "空号": Outcome.WRONG_NUMBER, "错号": Outcome.WRONG_NUMBER,
}


def parse_outcome(raw: str) -> Outcome:
    return lookup(_OUTCOME_WORDS, raw, _("联系结果"), one_of(Outcome))


# A status as typed: its value, or the word `show` and `list` print for it (and an export's 已订车).
_STATUS_WORDS = {**{status.value: status for status in Status}, **{label: status for status, label in STATUS_LABELS.items()},
                 "已订车": Status.WON}


def parse_status(raw: str) -> Status:
    return lookup(_STATUS_WORDS, raw, _("状态"), _("{values}（或 {labels}）").format(
        values=one_of(Status), labels=_("、").join(STATUS_LABELS[status] for status in Status)))


_WEEKDAYS = {
    "monday": 0, "mon": 0, "周一": 0, "星期一": 0, "礼拜一": 0,
    "tuesday": 1, "tue": 1, "周二": 1, "星期二": 1, "礼拜二": 1,
    "wednesday": 2, "wed": 2, "周三": 2, "星期三": 2, "礼拜三": 2,
    "thursday": 3, "thu": 3, "周四": 3, "星期四": 3, "礼拜四": 3,
    "friday": 4, "fri": 4, "周五": 4, "星期五": 4, "礼拜五": 4,
    "saturday": 5, "sat": 5, "周六": 5, "星期六": 5, "礼拜六": 5,
    "sunday": 6, "sun": 6, "周日": 6, "星期日": 6, "周天": 6, "星期天": 6, "礼拜天": 6, "礼拜日": 6,
}
_RELATIVE_DAYS = {
    "today": 0, "今天": 0, "今日": 0, "tomorrow": 1, "明天": 1, "明日": 1, "后天": 2, "大后天": 3,
    "yesterday": -1, "昨天": -1, "前天": -2,
}
_RELATIVE = LazyPattern(r"([+-])(\d{1,4})(d|w|天|日|周|星期)")
# 下周一: that weekday of next week (weeks start on Monday, as on a Chinese calendar); 下下周一: of the
# week after; 本周五: of this one; 上周五: of the last (a paper card back-filled).
_WEEK_AND_DAY = LazyPattern(r"(下下|下|本|这|上)(?:周|星期|礼拜)(.)")
_WEEK_OFFSETS = {"下下": 14, "下": 7, "本": 0, "这": 0, "上": -7}
_DAY_NAMES = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
# Chinese numerals up to 99 (see _cn_number): 三, 十五, 二十三.
_CN_NUMBER = "[零〇一二两三四五六七八九十]{1,3}"
# 下个月5号, 本月15日, 上月五号; 月底, 下个月底: a day of a month counted from this one. A day of the
# month alone (5号, 十五号) is the next one to come, as a weekday alone is: a next date is planned ahead.
_MONTH_OFFSETS = {"下个月": 1, "下月": 1, "本月": 0, "这个月": 0, "这月": 0, "上个月": -1, "上月": -1}
_MONTHS_NAMED = "|".join(_MONTH_OFFSETS)
_IN_MONTH = LazyPattern(rf"({_MONTHS_NAMED})(\d{{1,2}}|{_CN_NUMBER})[号日]")
_DAY_OF_MONTH = LazyPattern(rf"(\d{{1,2}}|{_CN_NUMBER})[号日]")
_MONTH_END = LazyPattern(rf"(?:({_MONTHS_NAMED})月?|月)[底末]")
# 2026-12-05, 2026-12-8, 2026/12/05, 2026.12.05, 2026年12月5日
_FULL_DATE = LazyPattern(r"(\d{4})(?:[-/.](\d{1,2})[-/.](\d{1,2})|年(\d{1,2})月(\d{1,2})[日号]?)", re.ASCII)
# 12月5日, 12-5, 12/5, 12.5: a day without a year (see _without_year and _year_on_one_side)
_MONTH_DAY = LazyPattern(r"(\d{1,2})(?:[-/.](\d{1,2})|月(\d{1,2})[日号]?)")
_ISO_DATETIME = LazyPattern(r"(\d{4}-\d{2}-\d{2})[ t](\d{1,2}):(\d{2})(?::(\d{2}))?(z|[+-]\d{2}:?\d{2})", re.ASCII)
# A day followed by a time: `周六 10:00`, `明天15:30`, `2026-05-06 14:30`, `2026-05-06T9:05`; a time alone is today
_TIME_AFTER = LazyPattern(r"(.*?)(?:\s*|t)(\d{1,2}):(\d{2})(?::(\d{2}))?")
_NOW = ("now", "现在")
# Hours before any showroom opens, typed `3:30` without a leading zero: a consultant writing the
# afternoon's 15:30 the way it is said. Read as 03:30, the call would be overdue before the day began.
_SMALL_HOURS = range(1, 9)
# A time as it is said, after the day: `下午3点`, `明天下午3点半`, `周六上午10点15分`, `晚上七点`, `15点30`,
# `下午3:30`, `今晚8点`. An hour of 1–12 said without the part of the day is refused, not guessed.
# The parts of the day an hour is said in (see _on_the_clock).
_MORNING = ("凌晨", "早上", "早晨", "清晨", "上午")
_AFTERNOON = ("下午", "午后", "傍晚", "晚上", "夜里")
_CLOCK = LazyPattern(
    rf"(?P<day>.*?)\s*(?P<part>{'|'.join((*_MORNING, '中午', *_AFTERNOON))})?\s*(?P<hour>\d{{1,2}}|{_CN_NUMBER})"
    rf"(?:[点时](?:(?P<half>半)|(?P<quarter>一刻|三刻)|整|(?P<minute>\d{{1,2}}|{_CN_NUMBER})分?)?|:(?P<colon>\d{{2}}))")
# A day said with its part: 今晚8点 is 今天晚上8点.
_DAY_AND_PART = {"今晚": ("今天", "晚上"), "明晚": ("明天", "晚上"), "今早": ("今天", "早上"), "明早": ("明天", "早上")}
_NONZERO = set("一二三四五六七八九")  # the digits of a number with 十 in it (not 两: 二十, never 两十)
_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


# Years a record may carry: a typo like 9999 would stay in the store and overflow every later
# computation of due dates and audit windows.
YEARS = (1900, 2199)


def parse_day(raw: str, today: date, *, ahead: bool = False) -> date:
    """A day, in any of the forms `_day` reads, without a time; `ahead` for what can only be to come
    (a delivery day, a quote's last day): a day typed without its year is the first such from today."""
    text = _plain(raw)
    return within_years(_day(raw, text, today, earliest=today if ahead else None), raw)


def within_years(moment: date, raw: object) -> date:
    """The day or moment, if its year is one a record may carry (YEARS); else bad input."""
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise BadInput(_("记录不能用这个日期：`{raw}`（年份须在 {first}–{last} 之间）").format(raw=raw, first=YEARS[0], last=YEARS[1]))
    return moment


def parse_when(raw: str, now: datetime, tz: tzinfo | None, *, latest: date | None = None,
               earliest: date | None = None, by_hand: bool = False) -> datetime:
    """A moment typed by a person. A bare day means its start (00:00) in the store's time zone.

    `now` is the clock's local time; relative forms count from its day. A day written without its
    year (5月20日) is the latest such day up to `latest`, or the first from `earliest` on, when the
    moment can only lie that side of it (a record's time, a contact planned after it); else the one
    nearest today (_without_year). `by_hand`: typed at the command line, where `3:30` is asked about
    (_SMALL_HOURS); a sheet's `3:30` is the time its program wrote.
    """
    text = _plain(raw)
    tz = tz or now.tzinfo
    if text in _NOW:
        return now
    if m := _ISO_DATETIME.fullmatch(text):
        day_text, hour, minute, second, offset = m.groups()
        try:
            parsed = datetime.fromisoformat(f"{day_text}T{int(hour):02d}:{minute}:{second or '00'}{offset.upper()}")
            moment = parsed.astimezone(tz)
        except (ValueError, OverflowError):
            raise BadInput(_("不是日期时间：`{raw}`").format(raw=raw)) from None
        return within_years(moment, raw)
    at = time()
    if clock := _said_clock(text):
        text, at = _said_time(raw, clock)
    elif m := _TIME_AFTER.fullmatch(text):
        text = m.group(1).strip() or "today"
        hour, minute, second = int(m.group(2)), int(m.group(3)), int(m.group(4) or 0)
        if hour > 23 or minute > 59 or second > 59:
            raise BadInput(_("不是一天中的时刻：`{raw}`").format(raw=raw))
        if by_hand and len(m.group(2)) == 1 and hour in _SMALL_HOURS:
            raise BadInput(_("`{raw}`：是凌晨还是下午？写成 下午{hour}:{minute:02d} 或 {later}:{minute:02d}"
                             "（凌晨写 0{hour}:{minute:02d}）").format(raw=raw, hour=hour, minute=minute, later=hour + 12))
        at = time(hour, minute, second)
    return within_years(datetime.combine(_day(raw, text, now.date(), latest, earliest), at, tzinfo=tz), raw)


def carries_time(raw: str) -> bool:
    """Whether a moment typed as parse_when reads it gave a time of day (`明天 15:30`, `下午3点`,
    `now`) or only a day (`明天`, `2026-12-05`), which is the whole day."""
    text = _plain(raw)
    return text in _NOW or bool(_ISO_DATETIME.fullmatch(text) or _said_clock(text) or _TIME_AFTER.fullmatch(text))


def _said_clock(text: str) -> re.Match | None:
    """A time said the Chinese way (with 点/时, or a part of the day before `3:30`); a bare `15:30` is
    _TIME_AFTER's."""
    m = _CLOCK.fullmatch(text)
    return m if m and (m["part"] or m["colon"] is None) else None


def _said_time(raw: str, m: re.Match) -> tuple[str, time]:
    """The day's text and the time of day of a `_CLOCK` match."""
    day, part = m["day"].strip(), m["part"]
    if part is None and day in _DAY_AND_PART:
        day, part = _DAY_AND_PART[day]
    hour, minute = _cn_number(m["hour"]), 0
    if m["half"]:
        minute = 30
    elif m["quarter"]:
        minute = 15 if m["quarter"] == "一刻" else 45
    elif m["minute"] or m["colon"]:
        minute = _cn_number(m["minute"] or m["colon"])
    if part is None and hour is not None and 1 <= hour <= 12:
        raise BadInput(_("`{raw}`：是上午还是下午？写成 下午3点、上午10点，或 24 小时制的 15:00").format(raw=raw))
    hour = _on_the_clock(hour, part)
    if hour is None or minute is None or minute > 59:
        raise BadInput(_("不是一天中的时刻：`{raw}`").format(raw=raw))
    return day or "today", time(hour, minute)


def _on_the_clock(hour: int | None, part: str | None) -> int | None:
    """An hour said in a part of the day, on the 24-hour clock: 下午3点 is 15, 下午15点 too, 中午1点 13;
    None for one the part cannot have (上午15点, 晚上12点: noon or midnight?)."""
    if hour is None or hour > 23:
        return None
    if part is None or 13 <= hour and part in _AFTERNOON:
        return hour
    if part in _MORNING:
        return hour if hour <= 11 else None
    if part == "中午":
        return hour + 12 if 1 <= hour <= 2 else hour if 11 <= hour <= 14 else None
    return hour + 12 if 1 <= hour <= 11 else None


def _cn_number(text: str) -> int | None:
    """0–99 in digits or Chinese numerals (两, 三, 十五, 二十, 二十三, 零五); None when not a number."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        if len(text) == 2 and text[0] in "零〇":  # 三点零五
            text = text[1:]
        return _CN_DIGITS.get(text)
    tens, _ten, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or not set(tens + ones) <= _NONZERO:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


def _plain(raw: str | None) -> str:
    """Full-width digits and colons folded (NFKC), case folded, spaces trimmed."""
    return unicodedata.normalize("NFKC", raw or "").strip().lower()


def _day(raw: str, text: str, today: date, latest: date | None = None, earliest: date | None = None) -> date:
    if text in _RELATIVE_DAYS:
        return today + timedelta(days=_RELATIVE_DAYS[text])
    if m := _RELATIVE.fullmatch(text):
        n = int(m.group(2)) * (1 if m.group(3) in ("d", "天", "日") else 7)
        try:
            return today + timedelta(days=n if m.group(1) == "+" else -n)
        except OverflowError:
            raise BadInput(_("记录不能用这个日期：`{raw}`").format(raw=raw)) from None
    if text in _WEEKDAYS:
        return today + timedelta(days=(_WEEKDAYS[text] - today.weekday()) % 7 or 7)
    if (m := _WEEK_AND_DAY.fullmatch(text)) and m.group(2) in _DAY_NAMES:
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=_WEEK_OFFSETS[m.group(1)] + _DAY_NAMES[m.group(2)])
    if m := _IN_MONTH.fullmatch(text):
        first = _month_start(today, _MONTH_OFFSETS[m.group(1)])
        return _calendar_day(raw, first.year, first.month, _cn_number(m.group(2)) or 0)
    if m := _DAY_OF_MONTH.fullmatch(text):
        return _coming_day_of_month(raw, _cn_number(m.group(1)) or 0, today)
    if m := _MONTH_END.fullmatch(text):
        return _month_start(today, _MONTH_OFFSETS.get(m.group(1), 0) + 1) - timedelta(days=1)
    if m := _FULL_DATE.fullmatch(text):
        year, month, day = int(m.group(1)), int(m.group(2) or m.group(4)), int(m.group(3) or m.group(5))
        return _calendar_day(raw, year, month, day)
    if m := _MONTH_DAY.fullmatch(text):
        month, day = int(m.group(1)), int(m.group(2) or m.group(3))
        if latest is not None or earliest is not None:
            return _year_on_one_side(raw, month, day, latest, earliest)
        return _without_year(raw, month, day, today)
    raise BadInput(_("不是日期：`{raw}`（可写 2026-05-03、'2026-05-03 14:30'、2026/5/3、2026.5.3、2026年5月3日、5月3日、5-3、"
                     "今天、明天、后天、大后天、+3天、+2周、+3d、+2w、周五、下周一、下下周一、5号、下个月5号、月底；"
                     "后面可跟时间：'明天 15:30'、明天下午3点）")
                   .format(raw=raw))


def _without_year(raw: str, month: int, day: int, today: date) -> date:
    """This year's day, except across the turn of the year: more than six months past it is next
    year's (1月5日 planned on 20 December), more than nine months ahead last year's (12月30日
    back-filled on 3 January). A paper card of three months ago stays this year's."""
    this_year = _calendar_day(raw, today.year, month, day)
    if (today - this_year).days > 183:
        return _calendar_day(raw, today.year + 1, month, day)
    if (this_year - today).days > 274:
        return _calendar_day(raw, today.year - 1, month, day)
    return this_year


def _year_on_one_side(raw: str, month: int, day: int, latest: date | None, earliest: date | None) -> date:
    """The latest such day up to `latest`, else the first from `earliest` on: a 2月29日 looks as
    far as the leap year it needs."""
    _calendar_day(raw, 2000, month, day)  # a day no year has (2月30日) is refused as such
    step = -1 if latest is not None else 1
    bound = latest if latest is not None else earliest
    for year in range(bound.year, bound.year + 9 * step, step):
        try:
            found = date(year, month, day)
        except ValueError:
            continue  # 29 February of a year that lacks it
        if (found <= bound) if step < 0 else (found >= bound):
            return found
    raise BadInput(_("不是日期：`{raw}`（没有这一天）").format(raw=raw))


def _coming_day_of_month(raw: str, day: int, today: date) -> date:
    """The day numbered `day` after today: this month's while it is still to come, else next
    month's (said on 31 January, 30号 is refused: February has no 30th)."""
    first = _month_start(today, 1 if day <= today.day else 0)
    return _calendar_day(raw, first.year, first.month, day)


def _month_start(today: date, months: int) -> date:
    """The first day of the month `months` after today's (before it, when negative)."""
    index = today.year * 12 + today.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _calendar_day(raw: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise BadInput(_("不是日期：`{raw}`（没有这一天）").format(raw=raw)) from None


def parse_month(raw: str) -> date:
    """`2026-11` → the first day of that month."""
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", (raw or "").strip(), flags=re.ASCII)
    if not m or not 1 <= int(m.group(2)) <= 12 or not YEARS[0] <= int(m.group(1)) <= YEARS[1]:
        raise BadInput(_("不是月份：`{raw}`（格式如 2026-11，年份 {first}–{last}）").format(
            raw=raw, first=YEARS[0], last=YEARS[1]))
    return date(int(m.group(1)), int(m.group(2)), 1)


def parse_iso_week(raw: str) -> date:
    """`2026-W47` → the Monday of that ISO week."""
    m = re.fullmatch(r"(\d{4})-?W(\d{1,2})", raw.strip(), flags=re.IGNORECASE | re.ASCII)
    if not m:
        raise BadInput(_("不是 ISO 周：`{raw}`（应写成 2026-W47）").format(raw=raw))
    try:
        return within_years(date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1), raw)
    except ValueError:
        raise BadInput(_("没有这个 ISO 周：`{raw}`").format(raw=raw)) from None


def output_format(fmt: str | None, output: PurePath | None, suffixes: dict[str, str]) -> str | None:
    """The format asked for, else the one the output file's name says (`w.xlsx` → xlsx, by
    `suffixes`); None when neither says. A format its file's name contradicts is bad input: an
    .xlsx holding Markdown opens as a broken workbook."""
    chosen = fmt.strip().lower() if fmt else None
    named = suffixes.get(output.suffix.lower()) if output is not None else None
    if chosen and named and chosen != named:
        raise BadInput(_("{file} 的文件名表示 {named}，但要写入的是 {chosen}：请把文件名改为 .{chosen}，或改要 {named}")
                       .format(file=output.name, named=named, chosen=chosen))
    return chosen or named


_BIRTHDAY = LazyPattern(r"(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})日?", re.ASCII)


def parse_birthday(raw: str) -> str:
    """A birthday as month and day (`03-15`, `3-15`, `3月15日`, or a date of birth `1985-03-15`),
    kept as "MM-DD"; 02-29 is a day, and a date of birth a day of its own year."""
    text = _plain(raw)
    m = _BIRTHDAY.fullmatch(text)
    try:
        day = date(2000, int(m.group(2)), int(m.group(3))) if m else None  # 2000: a leap year
    except ValueError:
        day = None
    if day is None:
        raise BadInput(_("不是生日：`{raw}`（写月和日，如 03-15 或 3月15日）").format(raw=raw))
    if m.group(1) and not _is_day(int(m.group(1)), day.month, day.day):
        raise BadInput(_("不是生日：`{raw}`（{year} 年没有 {month} 月 {day} 日）").format(
            raw=raw, year=m.group(1), month=day.month, day=day.day))
    return f"{day:%m-%d}"


def _is_day(year: int, month: int, day: int) -> bool:
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


# 9.58万, 95800, 95,800, ￥95800元: money as the floor writes it, in whole yuan.
AMOUNT_MAX = 100_000_000  # yuan (1 亿): above any car's price, so a sum beyond it is a typing slip
_AMOUNT = LazyPattern(r"¥?(\d+(?:\.\d+)?)(万|w)?元?", re.ASCII | re.IGNORECASE)


def parse_amount(raw: str, what: str) -> int:
    """A sum of money in yuan: `95800`, `95,800`, `9.58万`, `¥95800元`; never negative, at most 1 亿."""
    text = unicodedata.normalize("NFKC", raw or "").strip().replace(",", "").replace(" ", "")
    m = _AMOUNT.fullmatch(text)  # NFKC has made ￥ ¥
    if not m:
        raise BadInput(_("{option} 不是金额：{raw}（单位元，如 95800 或 9.58万）").format(option=what, raw=raw))
    value = float(m.group(1)) * (10_000 if m.group(2) else 1)
    if value > AMOUNT_MAX:
        raise BadInput(_("{option} {raw} 超出了任何一笔购车的金额（最多 1亿）").format(option=what, raw=raw))
    return round(value)


# The statuses' values (leadcard.model.deals.FinanceStatus, imported only where a loan is recorded).
_FINANCE_WORDS = {
    "applied": "applied", "apply": "applied", "已申请": "applied", "申请": "applied",
    "approved": "approved", "已批贷": "approved", "批贷": "approved", "通过": "approved",
    "rejected": "rejected", "被拒": "rejected", "拒贷": "rejected", "未通过": "rejected",
}


def parse_finance_status(raw: str) -> "FinanceStatus":
    """A step of a loan application (贷款): applied, approved, rejected, or the floor's words."""
    from leadcard.model.deals import FinanceStatus

    return FinanceStatus(lookup(_FINANCE_WORDS, raw, _("贷款进度"), _("{values}（或 已申请、已批贷、被拒）").format(
        values=one_of(("applied", "approved", "rejected")))))
