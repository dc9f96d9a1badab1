"""Message catalogues for Dutch (default) and English: `t("tiles.lead_time", "nl")`.

Texts live in `i18n/nl/*.toml` and `i18n/en/*.toml`, one file per page or part (plain language,
B1); a key is the file's name and the key inside it: `overview.title` is `title` in
`overview.toml`. Placeholders use `{name}` and are filled from keyword arguments.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

from i18n.formats import normalize_lang

LANGUAGES = ("nl", "en")
_DIR = Path(__file__).parent


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Every message of one language, flattened to dotted keys."""
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(f"{prefix}.{key}", value)
            else:
                flat[f"{prefix}.{key}"] = value

    for path in sorted((_DIR / lang).glob("*.toml")):
        walk(path.stem, tomllib.loads(path.read_text(encoding="utf-8")))
    return flat


def t(key: str, lang: str, **values: object) -> str:
    """The message `key` in `lang`, with its placeholders filled in."""
    text = catalogue(normalize_lang(lang))[key]
    return text.format(**values) if values else text
