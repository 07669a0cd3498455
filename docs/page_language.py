"""The language of each page of the site, in its ``<html lang>``.

The theme marks every page with the site's language (``theme.language: en``). MkDocs runs this
file as a hook (``hooks:`` in mkdocs.yml): a page whose front matter says ``lang: ko``, or whose
file is ``ko.md`` or ``*.ko.md``, is marked ``lang="ko"``, so that browsers pick Korean fonts
and line breaking, screen readers read it as Korean, and the site's CSS keeps Korean words
whole (``docs/stylesheets/extra.css``).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

HTML_LANG = re.compile(r'(<html\b[^>]*?\blang=")[^"]*(")')


def page_language(src_uri: str, meta: dict[str, Any]) -> str | None:
    """The language a page declares (front matter ``lang``) or its file name implies.

    >>> page_language("pytorch.ko.md", {}), page_language("ko.md", {})
    ('ko', 'ko')
    >>> page_language("index.md", {}) is None, page_language("x.md", {"lang": "ja"})
    (True, 'ja')
    """
    if meta.get("lang"):
        return str(meta["lang"])
    if PurePosixPath(src_uri).name.split(".")[-2:-1] == ["ko"]:
        return "ko"
    return None


def on_post_page(output: str, page: Any, config: Any, **kwargs: Any) -> str:
    lang = page_language(page.file.src_uri, page.meta or {})
    if lang is None:
        return output
    return HTML_LANG.sub(lambda m: f"{m.group(1)}{lang}{m.group(2)}", output, count=1)
