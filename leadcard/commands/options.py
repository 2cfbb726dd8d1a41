"""Option types that several commands share."""

from typing import Annotated

import typer

# A record's number (a showroom visit's, a follow-up's SEQ, a quote's) or a count of rows asked for:
# far beyond any store's, and within the store's 64-bit integers, which a larger one overflowed.
RECORD_MAX = 10**9

JsonOption = Annotated[bool, typer.Option("--json", help="在标准输出打印一份 JSON 文档。")]
