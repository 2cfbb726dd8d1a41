"""Option types that several commands share."""

from typing import Annotated

import typer

JsonOption = Annotated[bool, typer.Option("--json", help="在标准输出打印一份 JSON 文档。")]
