"""The files a letter is written to: Markdown, plain text, HTML, PDF, DOCX and ODT.

Example:
    >>> letter_format("lettre.docx"), markdown_to_text("**Objet**").strip()
    ('docx', 'Objet')
"""

from __future__ import annotations

import os
import re
from html import escape as html_escape
from pathlib import Path
from typing import TYPE_CHECKING

from lanterne.errors import LanterneError, Problem
from lanterne.htmlsafe import link_url
from lanterne.i18n import Msg
from lanterne.io.atomic import write_bytes_atomic, write_text_atomic

if TYPE_CHECKING:
    from lanterne.contest.letters import Letter

FORMATS = {
    ".md": "md",
    ".markdown": "md",
    ".txt": "txt",
    ".html": "html",
    ".pdf": "pdf",
    ".docx": "docx",
    ".odt": "odt",
}


# --------------------------------------------------------------------------- formats


def markdown_to_text(markdown: str) -> str:
    """Plain text from the letters' Markdown: headings underlined, marks and escapes removed."""
    out = []
    for line in markdown.split("\n"):
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            title = _plain(heading.group(2))
            out += [title, ("=" if len(heading.group(1)) == 1 else "-") * len(title)]
            continue
        out.append(_plain(line.rstrip()))
    return "\n".join(out).strip() + "\n"


def _plain(line: str) -> str:
    line = line.replace("**", "")
    line = re.sub(r"<(https?://[^>]+)>", r"\1", line)
    return re.sub(r"\\([\\`*_\[\]<>#|])", r"\1", line)


_CSS = """
@page { size: A4; margin: 2cm 2.2cm; }
body { font-family: "DejaVu Serif", "Liberation Serif", serif; font-size: 10.5pt;
       line-height: 1.4; color: #111; max-width: 46em; margin: 0 auto; }
h2 { font-size: 12pt; margin-top: 1.4em; }
table { border-collapse: collapse; font-size: 9pt; margin: 0.6em 0; }
th, td { border: 1px solid #999; padding: 2px 5px; text-align: left; }
hr { border: 0; border-top: 1px solid #999; margin: 1.4em 0; }
a { color: #111; }
"""


#: The letter page's own Content-Security-Policy: no script, nothing loaded from anywhere.
LETTER_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"


def markdown_to_html(markdown: str, *, title: str, lang: str) -> str:
    """A complete HTML page; raw HTML in the Markdown is shown as text, never interpreted.

    Only ``http``/``https`` addresses become links (:func:`~lanterne.htmlsafe.link_url`);
    images are not rendered (a letter loads nothing).

    >>> page = markdown_to_html("[a](javascript:alert(1)) <https://x.org>", title="t", lang="en")
    >>> "javascript" in page.split("<body>")[1].split('href="')[1], 'href="https://x.org"' in page
    (False, True)
    """
    from markdown_it import MarkdownIt

    class SafeLinks(MarkdownIt):
        def validateLink(self, url: str) -> bool:  # markdown-it-py names it so
            return link_url(url) is not None

    md = SafeLinks("commonmark", {"html": False, "linkify": False}).enable("table")
    md.disable("image")
    body = md.render(markdown)
    safe_title = html_escape(title)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{LETTER_CSP}">\n'
        f"<title>{safe_title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n{body}</body>\n</html>\n"
    )


def letter_format(path: str | os.PathLike[str]) -> str:
    """``md``, ``txt``, ``html`` or ``pdf`` from the output file's extension."""
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        raise LanterneError(
            Problem(
                Msg(
                    "format de courrier non reconnu « {s} » : attendu .md, .txt, .html, .pdf, "
                    ".docx ou .odt",
                    "unrecognised letter format '{s}': expected .md, .txt, .html, .pdf, .docx "
                    "or .odt",
                    s=suffix or Path(path).name,
                ),
                file=str(path),
            )
        ) from None


def write_letter(letter: Letter, path: str | os.PathLike[str]) -> Path:
    """Write the letter in the format its extension names, atomically."""
    fmt = letter_format(path)
    if fmt in ("md", "txt", "html"):
        write_text_atomic(path, letter.encoded(fmt).decode())
    else:
        write_bytes_atomic(path, letter.encoded(fmt))
    return Path(path)


def notes_path(path: str | os.PathLike[str]) -> Path:
    """Where the notes of a letter written to ``path`` go: ``<name>-notes`` beside it, as
    text for a word-processor letter (``.docx``/``.odt`` → ``.md``).

    >>> notes_path("out/lettre.pdf").as_posix(), notes_path("lettre.docx").as_posix()
    ('out/lettre-notes.pdf', 'lettre-notes.md')
    """
    p = Path(path)
    suffix = p.suffix.lower()
    return p.with_name(f"{p.stem}-notes{'.md' if suffix in ('.docx', '.odt') else p.suffix}")
