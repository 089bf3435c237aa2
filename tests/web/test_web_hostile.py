"""Attacks on the web app: DNS rebinding, cross-site posts, hostile uploads, upload debris.

Each test replays one attack with a small input against the app in process (FastAPI's
TestClient); the upload endpoint is also fuzzed with Hypothesis: whatever the bytes, the
file name or the column names, the answer is a page — never a 500, never a traceback —
and it comes within a time box.
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from lanterne.catalog import sample_path
from lanterne.io.tables import read_table
from lanterne.model import load_model
from lanterne.web import WebConfig, create_app
from lanterne.web.origin import RequestGuard
from lanterne.web.score import _defaults, form_fields
from lanterne.web.uploads import PREFIX, remove_stale_uploads

pytestmark = pytest.mark.hostile  # an attack: `pytest -m hostile` runs them all

LIMIT_MB = 0.25


@pytest.fixture(scope="module")
def app():
    return create_app(population_rows=2_000, max_upload_mb=LIMIT_MB)


@pytest.fixture(scope="module")
def client(app) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def served(app, host: str, base_url: str) -> TestClient:
    """A client of the same app as ``lanterne serve --host host`` would make it."""
    twin = create_app(WebConfig(host=host), state=app.state.lanterne)
    return TestClient(twin, base_url=base_url, raise_server_exceptions=False)


def household_form() -> dict[str, str]:
    model = load_model("fr-cnaf-2014")
    data = {"model": "fr-cnaf-2014"}
    for field in form_fields(model, _defaults(model, "single-mother-rsa"), "fr"):
        data[field.name] = field.value
    return data


def no_trace(response) -> None:
    assert "Traceback" not in response.text and 'File "' not in response.text


# ------------------------------------------------------------------ Host header


@pytest.mark.parametrize(
    "host",
    ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "localhost.evil.example"],
)
def test_dns_rebinding_host_is_refused(app, host):
    client = served(app, "127.0.0.1", f"http://{host}")
    for response in (client.get("/?lang=en"), client.post("/score", data=household_form())):
        assert response.status_code == 400
        text = response.text
        assert "Address refused" in text and "Adresse refusée" in text  # both languages
        assert "DNS rebinding" in text
        assert "default-src 'self'" in response.headers["content-security-policy"]
        no_trace(response)


def test_served_app_refuses_the_test_client_name(app):
    assert served(app, "127.0.0.1", "http://testserver").get("/").status_code == 400


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8000", "localhost:8000", "LOCALHOST:9999", "[::1]:8000", "127.0.0.1"]
)
def test_loopback_names_are_served_on_any_port(app, host):
    assert served(app, "127.0.0.1", f"http://{host}").get("/").status_code == 200


def test_wildcard_listening_accepts_addresses_and_the_machine_name(app):
    for host, status in [
        ("192.168.1.20:8000", 200),
        ("[fe80::1]:8000", 200),
        (f"{socket.gethostname()}:8000", 200),
        ("localhost:8000", 200),
        ("evil.example:8000", 400),
    ]:
        assert served(app, "0.0.0.0", f"http://{host}").get("/").status_code == status, host


def test_create_app_takes_the_served_address(app):
    served_app = create_app(state=app.state.lanterne, host="192.168.1.20")
    ok = TestClient(served_app, base_url="http://192.168.1.20:8000")
    assert ok.get("/").status_code == 200
    assert TestClient(served_app).get("/").status_code == 400  # not "testserver" any more


def test_a_given_network_address_is_accepted(app):
    assert served(app, "192.168.1.20", "http://192.168.1.20:8000").get("/").status_code == 200
    assert served(app, "192.168.1.20", "http://10.0.0.1:8000").get("/").status_code == 400


def test_missing_host_header_is_refused():
    assert RequestGuard.for_host("127.0.0.1").refusal("GET", {})[0] == 400


# ------------------------------------------------------------ cross-site POST


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "http://evil.example"},
        {"origin": "null"},  # a sandboxed frame or a no-referrer page
        {"origin": "http://testserver.evil.example"},
        {"origin": "https://testserver"},  # another scheme is another origin
        {"referer": "http://evil.example/form.html"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site"},  # another port of localhost: another app
        {"sec-fetch-site": "cross-site", "origin": "http://testserver"},
    ],
)
def test_cross_site_posts_are_refused(client, headers):
    response = client.post("/score?lang=en", data=household_form(), headers=headers)
    assert response.status_code == 403
    assert "Submission refused" in response.text and "Envoi refusé" in response.text
    no_trace(response)


@pytest.mark.parametrize(
    "headers",
    [
        {},  # curl or a script: no browser to abuse
        {"origin": "http://testserver"},
        {"origin": "http://testserver", "sec-fetch-site": "same-origin"},
        {"referer": "http://testserver/score?lang=en"},
    ],
)
def test_same_origin_posts_are_served(client, headers):
    response = client.post("/score?lang=en", data=household_form(), headers=headers)
    assert response.status_code == 200


def test_cross_site_upload_is_refused_before_reading_it(client):
    big = b"x" * int(LIMIT_MB * 1024 * 1024 * 2)  # over the limit: reading it would say 413
    response = client.post(
        "/audit",
        data={"kind": "population", "models": ["fr-cnaf-2014"], "groups": "sex"},
        files={"file": ("a.csv", big)},
        headers={"origin": "http://evil.example"},
    )
    assert response.status_code == 403


def test_links_from_other_sites_still_open_pages(client):
    assert client.get("/", headers={"sec-fetch-site": "cross-site"}).status_code == 200


def test_own_posts_carry_their_origin(client):
    assert client.get("/").headers["referrer-policy"] == "same-origin"


# ------------------------------------------------------------ lanterne serve


@pytest.fixture
def fake_server(monkeypatch):
    """``lanterne serve`` without a server: what uvicorn would have been given."""
    import uvicorn

    import lanterne.web.app as web_app

    seen: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.update(app=app, **kw))
    monkeypatch.setattr(web_app, "create_app", lambda config: seen.update(config=config))
    monkeypatch.setattr(web_app, "settled", lambda app: app)
    for key in WebConfig(host="x").to_env():  # --workers writes them: restore after
        monkeypatch.setenv(key, "")
    return seen


def test_serve_warns_loudly_on_a_network_address(cli, fake_server):
    result = cli("serve", "--host", "0.0.0.0", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Warning: application open to the network" in result.stderr
    assert "without a password" in result.stderr and "--host 127.0.0.1" in result.stderr
    assert fake_server["config"].host == "0.0.0.0"


def test_serve_on_loopback_says_nothing_more(cli, fake_server):
    result = cli("serve", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "Warning" not in result.output
    assert fake_server["config"].host == "127.0.0.1"


def test_serve_workers_pass_the_host_on(cli, fake_server):
    result = cli("serve", "--workers", "2", "--host", "localhost", "--lang", "en")
    assert result.exit_code == 0, result.output
    assert os.environ["LANTERNE_WEB_HOST"] == "localhost"
    assert WebConfig.from_env().host == "localhost"


# ------------------------------------------------------------ uploads


def upload(client, name, content, **fields):
    data = {"kind": "population", "models": ["fr-cnaf-2014"], "groups": "sex", "action": "view"}
    data.update(fields)
    return client.post("/audit?lang=en", data=data, files={"file": (name, content)})


SMALL = read_table(sample_path()).head(120)


def small_csv() -> bytes:
    return SMALL.write_csv().encode()


def test_a_300_character_file_name_is_not_an_error(client):
    response = upload(client, "é" * 150 + "x" * 150 + ".csv", small_csv())
    assert response.status_code == 200, response.text[:300]
    for name in ("日本語.csv", "../../etc/passwd.csv", 'a"b\\c.CSV', ".csv"):
        assert upload(client, name, small_csv()).status_code == 200, name
    long_wrong = upload(client, "y" * 300 + ".xlsx", b"a")
    assert long_wrong.status_code == 415
    assert "y" * 300 not in long_wrong.text  # the name is cut short in the message


def test_a_huge_header_gives_a_short_error_page(client):
    # 200 kB on one line, in fewer columns than the readers' limit (10,000): the message
    # lists what it found
    header = ",".join(f"column_{i:06d}_{'x' * 26}" for i in range(5_000))
    response = upload(client, "wide.csv", f"{header}\n".encode())
    assert response.status_code == 400
    assert "column_000000" in response.text  # the message names what it found...
    assert len(response.content) < 30_000  # ...without echoing the whole line
    no_trace(response)


@pytest.fixture
def private_tmp(tmp_path, monkeypatch) -> Path:
    """The system temporary directory, for this test only."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def uploads_in(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(PREFIX)]


def test_upload_folder_is_deleted_on_every_way_out(client, private_tmp, monkeypatch):
    import lanterne.web.audit as audit_page

    assert upload(client, "ok.csv", small_csv()).status_code == 200
    assert upload(client, "no-sex.csv", b"a,b\n1,2\n").status_code == 400
    assert upload(client, "empty.csv", b"").status_code == 400
    assert uploads_in(private_tmp) == []
    during: list[list[Path]] = []

    def crash(*args, **kwargs):
        during.append([p for f in uploads_in(private_tmp) for p in f.iterdir()])
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(audit_page, "audit_population", crash)
    response = upload(client, "crash.csv", small_csv())
    assert response.status_code == 500 and "disk on fire" not in response.text
    # the file was there while the audit ran, in a folder named after this process...
    assert [p.name for p in during[0]] == ["crash.csv"]
    assert during[0][0].parent.name.startswith(f"{PREFIX}{os.getpid()}-")
    assert uploads_in(private_tmp) == []  # ...and is gone


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_stale_upload_folders_are_removed_at_startup(app, private_tmp):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = private_tmp / f"{PREFIX}{_dead_pid()}-abc123"
        alive = private_tmp / f"{PREFIX}{sleeper.pid}-def456"
        mine = private_tmp / f"{PREFIX}{os.getpid()}-ghi789"
        old_style = private_tmp / f"{PREFIX}k2l_m3n4"  # an older version's, two days old
        recent_old_style = private_tmp / f"{PREFIX}p5q6r7s8"
        foreign = private_tmp / "lanterne-uploads-of-someone"
        for folder in (dead, alive, mine, old_style, recent_old_style, foreign):
            folder.mkdir()
            (folder / "households.csv").write_text("secret\n")
        two_days_ago = time.time() - 2 * 24 * 3600
        os.utime(old_style, (two_days_ago, two_days_ago))
        a_file = private_tmp / f"{PREFIX}{_dead_pid()}-file"
        a_file.write_text("not a folder")
        create_app(state=app.state.lanterne)  # a server starting
        left = {p.name for p in private_tmp.iterdir()}
        assert left == {
            alive.name,
            mine.name,
            recent_old_style.name,
            foreign.name,
            a_file.name,
        }
    finally:
        sleeper.kill()
        sleeper.wait()
    assert remove_stale_uploads(private_tmp) == [alive]  # its server has gone now


# ------------------------------------------------------------ fuzzing the upload


NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
SUFFIXES = st.sampled_from([".csv", ".csv", ".parquet", ".parquet", ".CSV", ".txt", ""])
HOSTILE = st.sampled_from(
    [
        "=cmd|' /C calc'!A0",
        "<svg/onload=alert(1)>",
        "$\\frac{a}$",
        "\\",
        '"',
        "",
        "\x00",
        "a\nb",
        "sex",
        "é" * 300,
    ]
)
#: Column names the form can ask for (its field splits on commas, semicolons and spaces).
COLUMNS = st.one_of(
    HOSTILE.filter(lambda c: c and not any(ch in c for ch in ",; \n")),
    st.text(
        st.characters(codec="utf-8", exclude_categories=("Cs", "Zs", "Cc")),
        min_size=1,
        max_size=40,
    ).filter(lambda c: not any(ch in c for ch in ",;")),
)


@st.composite
def uploads(draw):
    """A file a user (or an attacker) could drop on the audit page, and the group asked."""
    name = draw(NAMES) + draw(SUFFIXES)
    kind = draw(st.sampled_from(["bytes", "csv", "csv", "parquet", "parquet"]))
    column = draw(COLUMNS)
    if kind == "bytes":
        return name, draw(st.binary(max_size=2_000)), column
    values = draw(st.lists(st.one_of(HOSTILE, NAMES), min_size=1, max_size=4))
    frame = SMALL.head(draw(st.integers(1, 60)))
    if column not in frame.columns:
        frame = frame.with_columns(
            pl.Series(column, [values[i % len(values)] for i in range(frame.height)])
        )
    if kind == "csv":
        return name, frame.write_csv().encode(), column
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return name, buffer.getvalue(), column


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(case=uploads())
def test_fuzzed_uploads_always_get_a_page(client, case):
    name, content, column = case
    start = time.monotonic()
    response = upload(client, name or "x", content, groups=column)
    elapsed = time.monotonic() - start
    event(f"status {response.status_code}")
    assert response.status_code in (200, 400, 413, 415, 422), response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    no_trace(response)
    assert elapsed < 60, f"{elapsed:.1f} s for one small upload"
