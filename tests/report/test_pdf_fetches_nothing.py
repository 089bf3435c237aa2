"""PDFs are made from their HTML alone: an address planted in a report or a letter (an
image, a stylesheet) never makes WeasyPrint reach the network or read a local file."""

from __future__ import annotations

import http.server
import threading

import pytest

from lanterne.contest.letters import Letter, LetterKind

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all

PLANTED = (
    '<img src="file:///etc/hostname">'
    '<link rel="stylesheet" href="http://127.0.0.1:{port}/style.css">'
    '<img src="http://127.0.0.1:{port}/pixel.png">'
)


@pytest.fixture
def listener():
    """A local server that records every request it receives."""
    seen: list[str] = []

    class Recorder(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()


def test_a_letter_pdf_fetches_nothing(monkeypatch, listener) -> None:
    port, seen = listener
    letter = Letter(kind=next(iter(LetterKind)), lang="fr", title="Courrier", markdown="Madame,")
    planted = PLANTED.format(port=port)
    real_html = Letter.html
    monkeypatch.setattr(
        Letter, "html", lambda self: real_html(self).replace("</body>", planted + "</body>")
    )
    assert planted in letter.html()
    pdf = letter.pdf()
    assert pdf.startswith(b"%PDF")
    assert seen == []  # the control below shows the server would have seen a fetch


def test_the_listener_sees_a_fetch_when_nothing_refuses_it(listener) -> None:
    from weasyprint import HTML

    port, seen = listener
    HTML(string=f"<p>x</p>{PLANTED.format(port=port)}").write_pdf()
    assert seen  # WeasyPrint on its own does fetch: the refusal above is what stops it


def test_a_report_pdf_fetches_nothing(listener, tmp_path) -> None:
    from lanterne.report.render import write_pdf

    port, seen = listener
    html = f"<html><body><p>Rapport</p>{PLANTED.format(port=port)}</body></html>"
    write_pdf(html, tmp_path / "r.pdf")
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert seen == []
