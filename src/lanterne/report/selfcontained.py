"""Check that an HTML document loads nothing from outside itself.

A report is read offline, archived, e-mailed and printed: it must not load a font, a
script, a style sheet or an image from anywhere. Hyperlinks (``<a href>``) to sources are
fine — a reader chooses to follow them; resources are loaded without asking.

Example:
    >>> external_resources('<img src="https://x.org/a.png"><a href="https://lqdn.fr">s</a>')
    ['img src=https://x.org/a.png']
    >>> external_resources('<img src="data:image/png;base64,AAAA">')
    []
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Attributes through which a browser fetches something without the reader asking.
_RESOURCE_ATTRIBUTES = {"src", "srcset", "poster", "data", "background", "action", "formaction"}
_URL_IN_CSS = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.I)


def _is_external(url: str) -> bool:
    url = url.strip()
    return not (url.startswith(("data:", "#")) or url == "")


class _Finder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name in _RESOURCE_ATTRIBUTES:
                for candidate in value.split(",") if name == "srcset" else [value]:
                    url = candidate.strip().split(" ")[0]
                    if _is_external(url):
                        self.found.append(f"{tag} {name}={url}")
            elif name == "style":
                self._css(value, f"{tag} style")
        href = values.get("href")
        linked = tag in ("link", "use", "image", "script", "base")
        if href is not None and linked and _is_external(href):
            self.found.append(f"{tag} href={href}")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self._css(data, "style")

    def _css(self, css: str, where: str) -> None:
        for match in _URL_IN_CSS.finditer(css):
            url = match.group(1) or match.group(2)
            if _is_external(url):
                self.found.append(f"{where} url={url}")


def external_resources(html: str) -> list[str]:
    """Every reference through which the document would load something external."""
    finder = _Finder()
    finder.feed(html)
    finder.close()
    return finder.found
