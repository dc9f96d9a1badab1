"""Message catalogues for Dutch (default) and English: `t("tiles.lead_time", "nl")`.

Texts live in `nl.toml` and `en.toml` (plain language, B1), in sections whose dotted path is the
key. Placeholders use `{name}` and are filled from keyword arguments.
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
    data = tomllib.loads((_DIR / f"{lang}.toml").read_text(encoding="utf-8"))
    flat: dict[str, str] = {}

    def walk(prefix: str, node: dict) -> None:
        for key, value in node.items():
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                walk(name, value)
            else:
                flat[name] = value

    walk("", data)
    return flat


def t(key: str, lang: str, **values: object) -> str:
    """The message `key` in `lang`, with its placeholders filled in."""
    text = catalogue(normalize_lang(lang))[key]
    return text.format(**values) if values else text
