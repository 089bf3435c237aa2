"""Text from the outside world on its way into HTML: element ids and links.

Column names, group values, model ids and source URLs come from files a user did not
necessarily write (a CSV header, a Parquet column, a spec found online). Jinja escapes
text and attribute values; two things it cannot do are left to this module:

- an element ``id`` must be one safe token, the same on every page built from the same
  input, and distinct for distinct inputs: :func:`html_id` keeps a plain identifier as it
  is and turns anything else into an ASCII slug followed by a short hash of the original;
- a link must only ever lead to a web page: :func:`link_url` returns the URL when it is
  ``http`` or ``https`` and ``None`` otherwise (``javascript:``, ``data:``, ``vbscript:``,
  ``file:``...), so that the caller shows it as plain text instead of a link.

Example:
    >>> html_id("fr-cnaf-2014-sex-deciles")
    'fr-cnaf-2014-sex-deciles'
    >>> html_id('c"><svg/onload=alert(1)>')
    'c-svg-onload-alert-1-f525acdd'
    >>> link_url("https://www.legifrance.gouv.fr/x"), link_url("javascript:alert(1)")
    ('https://www.legifrance.gouv.fr/x', None)
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Any

#: What an id may be without change: a letter then letters, digits, "-" or "_".
_PLAIN_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,199}\Z")
#: An absolute web address with a host, and nothing a browser would strip or reinterpret.
_WEB_URL = re.compile(r"https?://[^\s/?#\\@]+(?:[/?#][^\s]*)?\Z", re.IGNORECASE)


def html_id(text: str) -> str:
    """A safe HTML ``id`` for ``text``: unchanged when plain, else an ASCII slug and a hash.

    The result matches ``[A-Za-z][A-Za-z0-9_-]*``: it can sit in an attribute, in
    ``href="#..."``, in CSS selectors and in ``aria-labelledby`` lists without escaping.

    >>> html_id("sex × age_band")
    'sex-age-band-0ee9b381'
    >>> html_id("$\\\\frac{a}$").startswith("frac-a-")
    True
    >>> html_id("") == html_id("") != html_id(" ")
    True
    """
    if _PLAIN_ID.match(text):
        return text
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].rstrip("-")
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    if not slug[:1].isalpha():
        slug = "id" + ("-" + slug if slug else "")
    return f"{slug}-{digest}"


def link_url(url: str | None) -> str | None:
    """``url`` when a link to it can only open a web page (``http``/``https``), else ``None``.

    Anything else — ``javascript:``, ``vbscript:``, ``data:``, ``file:``, a relative path,
    a URL hiding control characters or spaces a browser would strip — is not linked; the
    caller prints it as text.

    >>> link_url(" HTTPS://eur-lex.europa.eu/eli/reg/2016/679/oj ")
    'HTTPS://eur-lex.europa.eu/eli/reg/2016/679/oj'
    >>> [link_url(u) for u in ("data:text/html,x", "java\\tscript:x", "//evil.org", None)]
    [None, None, None, None]
    """
    if not url:
        return None
    url = url.strip()
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in url):
        return None
    return url if _WEB_URL.match(url) else None


def refuse_urls(url: str, *args: object, **kwargs: object) -> dict[str, object]:
    """Fetch nothing: a PDF is made from its HTML alone.

    Reports and letters are self-contained; an address planted in them (an image, a
    stylesheet) must not make the PDF renderer reach the network or read a local file.

    >>> refuse_urls("file:///etc/passwd")
    Traceback (most recent call last):
    ...
    ValueError: a Lanterne PDF may not load file:///etc/passwd
    """
    raise ValueError(f"a Lanterne PDF may not load {url}")


def pdf_url_fetcher() -> Any:
    """The ``url_fetcher`` to give WeasyPrint: it refuses every address (:func:`refuse_urls`).

    WeasyPrint 70 takes a :class:`weasyprint.urls.URLFetcher` (a plain function there fails
    at the first address); earlier versions take a function.
    """
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint < 70
        return refuse_urls

    class RefuseEveryUrl(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> Any:
            return refuse_urls(url)

    return RefuseEveryUrl()
