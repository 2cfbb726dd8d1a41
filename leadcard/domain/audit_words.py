"""The audit's word lists: what a supervisor reads as a vague record or an empty loss reason.

Data, not logic: a store replaces any list in its policy file, e.g.

```toml
[audit.vague-record]
channel_plans = ["电话", "微信", "打电话"]
```

Texts are compared after dropping spaces and punctuation and folding case (see audit_rules.plain).
"""

# Content that says nothing about the conversation (洽谈内容): the seeds' one-word records.
VAGUE_CONTENTS = (
    "电话", "打电话", "回访", "跟进", "考虑中", "在考虑", "再考虑", "考虑一下", "再看看", "看看", "在忙", "没空",
    "没接", "未接", "不在", "还行", "一般", "好的", "同上", "无", "暂无", "ok", "phone", "call", "followup",
    "thinking",
)

# A plan (跟踪方案) that names only a channel or an act, not what to do: "'电话' is not a plan".
CHANNEL_PLANS = (
    "电话", "打电话", "电话回访", "电话跟进", "电访", "微信", "发微信", "微信跟进", "短信", "发短信", "回访", "跟进",
    "继续跟进", "保持跟进", "再跟进", "保持联系", "联系", "再联系", "邀约", "phone", "call", "wechat", "sms",
    "followup", "followupagain",
)

# Purposes (访问目的) that only check in: "'have you thought about it?' is not a purpose".
CHECKING_IN = (
    "考虑得怎么样", "考虑的怎么样", "考虑怎么样", "考虑好了吗", "考虑好没", "想好了吗", "问问情况", "问一下情况",
    "了解情况", "看看情况", "回访", "跟进", "随访", "问候", "checkin", "anyupdate", "howisitgoing",
)

# Loss reasons (战败原因) that explain nothing unless a note says more.
VAGUE_LOSS_REASONS = ("其他", "其它", "other", "不买了", "不想买", "没意向", "无意向", "不明")

# Loss reasons that mean the customer bought elsewhere: the card should say what they bought.
COMPETITOR_LOSS_REASONS = ("竞品品牌", "已在别处购买", "买了别的", "竞品", "competitor", "boughtelsewhere")
