"""Parsing at the edge: phones, dates, sources and channels typed by people, into typed values.

Everything here raises BadInput (exit 2) with one line a consultant can act on.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta, tzinfo

from leadcard.errors import BadInput
from leadcard.model import Channel, Outcome, Source

_PHONE_NOISE = re.compile(r"[\s\-().·—_/]")
_MOBILE = re.compile(r"1[3-9]\d{9}", re.ASCII)
# Landline: area code 0xx or 0xxx, then 7 or 8 digits.
_LANDLINE = re.compile(r"0\d{2,3}\d{7,8}", re.ASCII)


def normalise_phone(raw: str) -> str:
    """Digits only, without +86/0086: `138-0013-8000`, `+86 13800138000`, `１３８…` are one customer."""
    text = unicodedata.normalize("NFKC", raw or "").strip()
    text = _PHONE_NOISE.sub("", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13 and _MOBILE.fullmatch(text[2:]):
        text = text[2:]
    if _MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text):
        return text
    raise BadInput(
        f"not a phone number: {raw!r} (a mainland mobile 1[3-9]xxxxxxxxx, or a landline with area code)"
    )


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


_SOURCE_WORDS = {
    "walk-in": Source.WALK_IN, "walkin": Source.WALK_IN, "展厅": Source.WALK_IN, "到店": Source.WALK_IN,
    "来店": Source.WALK_IN, "自然到店": Source.WALK_IN,
    "phone-in": Source.PHONE_IN, "phone": Source.PHONE_IN, "来电": Source.PHONE_IN,
    "online": Source.ONLINE, "网络": Source.ONLINE, "平台": Source.ONLINE, "网络/平台": Source.ONLINE,
    "show": Source.SHOW, "auto-show": Source.SHOW, "车展": Source.SHOW,
    "referral": Source.REFERRAL, "转介绍": Source.REFERRAL, "介绍": Source.REFERRAL,
    "hotline": Source.HOTLINE, "400": Source.HOTLINE,
    "other": Source.OTHER, "其他": Source.OTHER, "其它": Source.OTHER,
}
# Online platforms (网络/平台) as the floor names them: a platform named as the source means an
# online lead from it, and the card keeps the platform.
_PLATFORM_WORDS = {
    "汽车之家": "汽车之家", "autohome": "汽车之家", "懂车帝": "懂车帝", "dongchedi": "懂车帝",
    "易车": "易车", "易车网": "易车", "yiche": "易车", "bitauto": "易车", "抖音": "抖音", "douyin": "抖音",
    "官网": "官网", "厂家官网": "官网", "website": "官网", "天猫": "天猫", "tmall": "天猫",
    "太平洋汽车": "太平洋汽车", "pcauto": "太平洋汽车", "爱卡汽车": "爱卡汽车", "xcar": "爱卡汽车",
    "快手": "快手", "小红书": "小红书", "微信公众号": "微信公众号",
}
_SOURCE_WORDS |= dict.fromkeys(_PLATFORM_WORDS, Source.ONLINE)


def lookup(words: dict, raw: str, what: str, choices: str):
    """A word typed in Chinese or English, looked up in a table of synonyms; else bad input."""
    key = unicodedata.normalize("NFKC", raw or "").strip().lower()
    if key in words:
        return words[key]
    raise BadInput(f"unknown {what} {raw!r}: use one of {choices}")


def parse_source(raw: str) -> Source:
    choices = ", ".join(s.value for s in Source) + " (or 展厅, 来电, 网络, 车展, 转介绍, 400, 汽车之家, 懂车帝 …)"
    return lookup(_SOURCE_WORDS, raw, "source", choices)


def parse_lead_source(source: str | None, platform: str | None) -> tuple[Source | None, str | None]:
    """`--source` and `--platform` together: a platform makes the lead `online`, and a platform
    named as the source (`--source 汽车之家`) is kept as the platform. Any platform may be typed;
    the known ones are spelled one way (`autohome` is 汽车之家)."""
    kept = None
    if platform is not None:
        text = unicodedata.normalize("NFKC", platform).strip()
        if not text:
            raise BadInput("empty --platform: name the online platform (汽车之家, 懂车帝, 易车 …)")
        kept = _PLATFORM_WORDS.get(text.lower(), text)
    if source is None:
        return (Source.ONLINE if kept else None), kept
    parsed = parse_source(source)
    named = _PLATFORM_WORDS.get(unicodedata.normalize("NFKC", source).strip().lower())
    if kept and parsed != Source.ONLINE:
        raise BadInput(f"a platform ({kept}) belongs to an online lead, not to source {parsed.value}")
    if kept and named and kept != named:
        raise BadInput(f"source {source!r} and platform {kept!r} disagree")
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
    return lookup(_CHANNEL_WORDS, raw, "channel", ", ".join(c.value for c in Channel))


_OUTCOME_WORDS = {
    "reached": Outcome.REACHED, "接通": Outcome.REACHED,
    "unreachable": Outcome.UNREACHABLE, "no-answer": Outcome.UNREACHABLE, "未接通": Outcome.UNREACHABLE,
    "refused": Outcome.REFUSED, "拒接": Outcome.REFUSED, "挂断": Outcome.REFUSED,
    "wrong-number": Outcome.WRONG_NUMBER, "空号": Outcome.WRONG_NUMBER, "错号": Outcome.WRONG_NUMBER,
}


def parse_outcome(raw: str) -> Outcome:
    return lookup(_OUTCOME_WORDS, raw, "outcome", ", ".join(o.value for o in Outcome))


_WEEKDAYS = {
    "monday": 0, "mon": 0, "周一": 0, "星期一": 0,
    "tuesday": 1, "tue": 1, "周二": 1, "星期二": 1,
    "wednesday": 2, "wed": 2, "周三": 2, "星期三": 2,
    "thursday": 3, "thu": 3, "周四": 3, "星期四": 3,
    "friday": 4, "fri": 4, "周五": 4, "星期五": 4,
    "saturday": 5, "sat": 5, "周六": 5, "星期六": 5,
    "sunday": 6, "sun": 6, "周日": 6, "星期日": 6, "周天": 6, "星期天": 6,
}
_RELATIVE = re.compile(r"([+-])(\d{1,4})([dw])", re.ASCII)
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_ISO_DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})[ t](\d{1,2}):(\d{2})(?::(\d{2}))?(z|[+-]\d{2}:?\d{2})?", re.ASCII)
_RELATIVE_DAYS = {"today": 0, "今天": 0, "tomorrow": 1, "明天": 1, "yesterday": -1, "昨天": -1}


def parse_day(raw: str, today: date) -> date:
    """A day: ISO, `today`/`tomorrow`/`yesterday`, `+3d`, `-1w`, or a weekday name (the next one)."""
    when = parse_when(raw, datetime.combine(today, time()), None)
    return when.date()


def parse_when(raw: str, now: datetime, tz: tzinfo | None) -> datetime:
    """A moment typed by a person. A bare day means its start (00:00) in the store's time zone.

    `now` is the clock's local time; relative forms count from its day.
    """
    text = unicodedata.normalize("NFKC", raw or "").strip().lower()
    tz = tz or now.tzinfo
    today = now.date()
    day: date | None = None
    if text in _RELATIVE_DAYS:
        day = today + timedelta(days=_RELATIVE_DAYS[text])
    elif text == "now":
        return now
    elif m := _RELATIVE.fullmatch(text):
        sign = 1 if m.group(1) == "+" else -1
        n = int(m.group(2)) * (7 if m.group(3) == "w" else 1)
        day = today + timedelta(days=sign * n)
    elif text in _WEEKDAYS:
        ahead = (_WEEKDAYS[text] - today.weekday()) % 7 or 7
        day = today + timedelta(days=ahead)
    elif _ISO_DATE.fullmatch(text):
        day = _iso_date(raw, text)
    elif m := _ISO_DATETIME.fullmatch(text):
        day_text, hour, minute, second, offset = m.groups()
        iso = f"{day_text}T{int(hour):02d}:{minute}:{second or '00'}{(offset or '').upper()}"
        try:
            parsed = datetime.fromisoformat(iso)
        except ValueError:
            raise BadInput(f"not a date-time: {raw!r}") from None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=tz)
        return parsed.astimezone(tz)
    else:
        raise BadInput(
            f"not a date: {raw!r} (use 2026-05-03, '2026-05-03 14:30', today, tomorrow, +3d, +2w or a weekday)"
        )
    return datetime.combine(day, time(), tzinfo=tz)


def _iso_date(raw: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"not a date: {raw!r}") from None


def parse_iso_week(raw: str) -> date:
    """`2026-W47` → the Monday of that ISO week."""
    m = re.fullmatch(r"(\d{4})-?W(\d{1,2})", raw.strip(), flags=re.IGNORECASE | re.ASCII)
    if not m:
        raise BadInput(f"not an ISO week: {raw!r} (use 2026-W47)")
    try:
        return date.fromisocalendar(int(m.group(1)), int(m.group(2)), 1)
    except ValueError:
        raise BadInput(f"no such ISO week: {raw!r}") from None
