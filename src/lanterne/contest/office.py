"""Letters as word-processor files: DOCX (python-docx) and ODT (odfpy), to edit before sending.

The letter's Markdown is read once with markdown-it (the parser the HTML and PDF use) into
a few blocks — headings, paragraphs (bold runs and line breaks kept), bullet items, tables,
rules — that both writers lay out the same way.

Example:
    >>> data = to_docx("**Objet : test**\\n\\nMadame, Monsieur,", title="Test")
    >>> data[:2] == b"PK"  # a DOCX is a zip file
    True
    >>> blocks("# Titre\\n\\nUn *mot* **gras**  \\nsuite")[1].runs
    [('Un ', False), ('mot', False), (' ', False), ('gras', True), ('\\n', False), ('suite', False)]
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from markdown_it import MarkdownIt

Run = tuple[str, bool]  # text, bold


@dataclass
class Block:
    """One block of the letter: ``kind`` is heading1..6, para, item, table or rule."""

    kind: str
    runs: list[Run] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


def _runs(inline: object) -> list[Run]:
    out: list[Run] = []
    bold = False
    for child in getattr(inline, "children", None) or []:
        kind = child.type
        if kind == "strong_open":
            bold = True
        elif kind == "strong_close":
            bold = False
        elif kind in ("text", "code_inline") and child.content:
            out.append((child.content, bold))
        elif kind in ("softbreak",):
            out.append((" ", bold))
        elif kind == "hardbreak":
            out.append(("\n", False))
    return out


def blocks(markdown: str) -> list[Block]:
    """The letter's blocks, in order."""
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    out: list[Block] = []
    heading = None
    in_item = False
    row: list[str] | None = None
    table: Block | None = None
    for tok in tokens:
        if tok.type == "heading_open":
            heading = tok.tag
        elif tok.type == "list_item_open":
            in_item = True
        elif tok.type == "list_item_close":
            in_item = False
        elif tok.type == "table_open":
            table = Block("table")
        elif tok.type == "table_close" and table is not None:
            out.append(table)
            table = None
        elif tok.type == "tr_open":
            row = []
        elif tok.type == "tr_close" and table is not None and row is not None:
            table.rows.append(row)
        elif tok.type == "hr":
            out.append(Block("rule"))
        elif tok.type == "inline":
            runs = _runs(tok)
            if table is not None and row is not None:
                row.append("".join(t for t, _ in runs))
            elif heading:
                out.append(Block(f"heading{heading[1]}", runs))
                heading = None
            else:
                out.append(Block("item" if in_item else "para", runs))
    return out


def to_docx(markdown: str, *, title: str) -> bytes:
    """The letter as a DOCX file."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = title
    style = doc.styles["Normal"]
    style.font.name = "Liberation Serif"
    style.font.size = Pt(11)
    for b in blocks(markdown):
        if b.kind.startswith("heading"):
            doc.add_heading("".join(t for t, _ in b.runs), level=min(int(b.kind[-1]), 4))
        elif b.kind == "rule":
            doc.add_paragraph("")
        elif b.kind == "table":
            if not b.rows:
                continue
            grid = doc.add_table(rows=len(b.rows), cols=max(len(r) for r in b.rows))
            grid.style = "Table Grid"
            for i, cells in enumerate(b.rows):
                for j, text in enumerate(cells):
                    grid.cell(i, j).text = text
        else:
            para = doc.add_paragraph(style="List Bullet" if b.kind == "item" else None)
            for text, bold in b.runs:
                if text == "\n":
                    para.add_run().add_break()
                else:
                    para.add_run(text).bold = bold
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def to_odt(markdown: str, *, title: str) -> bytes:
    """The letter as an ODT (OpenDocument text) file."""
    from odf.opendocument import OpenDocumentText
    from odf.style import ParagraphProperties, Style, TextProperties
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, LineBreak, P, Span

    doc = OpenDocumentText()
    doc.meta.addElement(_odf_title(title))
    bold = Style(name="Bold", family="text")
    bold.addElement(TextProperties(fontweight="bold"))
    item = Style(name="Item", family="paragraph")
    item.addElement(ParagraphProperties(marginleft="0.6cm"))
    doc.automaticstyles.addElement(bold)
    doc.automaticstyles.addElement(item)
    for b in blocks(markdown):
        if b.kind.startswith("heading"):
            doc.text.addElement(H(outlinelevel=int(b.kind[-1]), text="".join(t for t, _ in b.runs)))
        elif b.kind == "rule":
            doc.text.addElement(P(text=""))
        elif b.kind == "table":
            width = max((len(r) for r in b.rows), default=0)
            grid = Table()
            grid.addElement(TableColumn(numbercolumnsrepeated=width))
            for cells in b.rows:
                tr = TableRow()
                for text in cells:
                    cell = TableCell()
                    cell.addElement(P(text=text))
                    tr.addElement(cell)
                grid.addElement(tr)
            doc.text.addElement(grid)
        else:
            para = P(stylename=item) if b.kind == "item" else P()
            if b.kind == "item":
                para.addText("• ")
            for text, strong in b.runs:
                if text == "\n":
                    para.addElement(LineBreak())
                elif strong:
                    para.addElement(Span(stylename=bold, text=text))
                else:
                    para.addText(text)
            doc.text.addElement(para)
    buffer = io.BytesIO()
    doc.write(buffer)
    return buffer.getvalue()


def _odf_title(title: str) -> object:
    from odf.dc import Title

    return Title(text=title)
