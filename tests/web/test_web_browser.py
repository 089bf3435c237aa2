"""End to end: a real headless Chromium drives the web app; axe-core checks every page.

Chromium and its driver come from Debian (``make system-deps``), axe-core from the npm
registry (``make axe``, into ``.cache/axe``). The server runs in a thread on a free port,
once for the whole module. Screenshots are written under pytest's temporary directory.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("selenium")
uvicorn = pytest.importorskip("uvicorn")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support import expected_conditions as ec  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

from lanterne.catalog import sample_path  # noqa: E402
from lanterne.web import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER and AXE.is_file()),
    reason="needs Debian chromium + chromium-driver (make system-deps) and axe-core (make axe)",
)

PAGES = [
    "/",
    "/?lang=en",
    "/models",
    "/models/fr-cnaf-2014",
    "/models/compare?lang=en",
    "/score",
    "/score?model=fr-cnaf-dmde-2026&lang=en",
    "/rights",
    "/rights?archetype=student&lang=en",
    "/archetypes",
    "/archetypes?model=fr-cnaf-dmde-2026&lang=en",
    "/audit",
    "/missing-page",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    app = create_app(population_rows=5_000)
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not srv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def downloads(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture(scope="module")
def browser(downloads):
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(arg)
    options.add_argument("--window-size=1280,1600")
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "plugins.always_open_pdf_externally": True,
        },
    )
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
   .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))
   .catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e), nodes: []}]));
"""


def serious_violations(driver) -> list[dict]:
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    found = driver.execute_async_script(AXE_RUN)
    return [v for v in found if v["impact"] in ("serious", "critical")]


def test_axe_on_every_page(server, browser, shots):
    problems = {}
    for i, path in enumerate(PAGES):
        browser.get(server + path)
        assert browser.find_element(By.TAG_NAME, "h1").text
        bad = serious_violations(browser)
        if bad:
            problems[path] = bad
        browser.save_screenshot(str(shots / f"page-{i:02d}.png"))
    assert problems == {}


def test_score_form_letter_download(server, browser, shots, downloads):
    browser.get(server + "/score?lang=en")
    Select(browser.find_element(By.ID, "pick-archetype")).select_by_value("couple-two-earners")
    browser.find_element(By.CSS_SELECTOR, "form.inline button[type=submit]").click()
    WebDriverWait(browser, 20).until(ec.url_contains("couple-two-earners"))
    field = browser.find_element(By.ID, "f-income_monthly")
    field.clear()
    field.send_keys("450")
    Select(browser.find_element(By.ID, "f-head_activity")).select_by_value("unemployed")
    browser.find_element(By.CSS_SELECTOR, "#household button.primary").click()
    wait_for_text(browser, "#result", "score of")
    result = browser.find_element(By.ID, "result")
    assert "score of" in result.text
    assert "selected for an inspection" in result.text
    # the page keeps what was typed
    assert browser.find_element(By.ID, "f-income_monthly").get_attribute("value") == "450"
    assert serious_violations(browser) == []
    browser.save_screenshot(str(shots / "score-result.png"))

    browser.find_element(By.ID, "p-name").send_keys("Camille Martin")
    browser.find_element(By.CSS_SELECTOR, "button[value='letter.txt']").click()
    letter = _wait_for(downloads, "lanterne-explanation-en.txt")
    text = letter.read_text(encoding="utf-8")
    assert "Camille Martin" in text
    browser.find_element(By.ID, "k-access").click()
    browser.find_element(By.CSS_SELECTOR, "button[value='letter.pdf']").click()
    pdf = _wait_for(downloads, "lanterne-access-en.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_search_button_and_language_switch_keep_the_values(server, browser, shots):
    """The result's search button and the language switch post the form again, no script."""
    browser.get(server + "/score?lang=en&archetype=single-mother-rsa")
    # irregular work and income: this household is selected in the server's population
    for name in ("months_worked_12m", "income_changes_12m"):
        field = browser.find_element(By.ID, f"f-{name}")
        field.clear()
        field.send_keys("5")
    browser.find_element(By.CSS_SELECTOR, "#household button.primary").click()
    wait_for_text(browser, "#result", "would be selected for an inspection")
    result = browser.find_element(By.ID, "result")
    assert "Smallest sets" not in result.text  # the search waits for the button
    button = browser.find_element(By.CSS_SELECTOR, "#result button[formaction^='/score/search']")
    assert button.text == "Find what would change the decision"
    button.click()
    # the caveat closes every search summary, whatever the search found
    wait_for_text(browser, "#result", "These are facts about the model, not advice")
    assert "/score/search" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, "#result button[formaction]") == []
    assert browser.find_element(By.ID, "f-months_worked_12m").get_attribute("value") == "5"
    assert serious_violations(browser) == []
    browser.save_screenshot(str(shots / "score-search.png"))

    # the switch to French posts the same values again
    browser.find_element(By.CSS_SELECTOR, "header .lang button").click()
    wait_for_text(browser, "#result", "Ce sont des faits sur le modèle")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert "Vous êtes ici" in browser.find_element(By.ID, "result").text
    for name in ("months_worked_12m", "income_changes_12m"):
        assert browser.find_element(By.ID, f"f-{name}").get_attribute("value") == "5"
    family = Select(browser.find_element(By.ID, "f-family_type"))
    assert family.first_selected_option.get_attribute("value") == "single_parent"
    assert serious_violations(browser) == []
    browser.save_screenshot(str(shots / "score-search-fr.png"))


def test_rights_check_in_the_browser(server, browser, shots):
    browser.get(server + "/rights?lang=en")
    Select(browser.find_element(By.ID, "f-housing_status")).select_by_value("hosted")
    field = browser.find_element(By.ID, "f-income_monthly")
    field.clear()
    field.send_keys("0")
    browser.find_element(By.CSS_SELECTOR, "#household button.primary").click()
    wait_for_text(browser, "#result", "Probable rights", seconds=60)
    result = browser.find_element(By.ID, "result").text
    assert "Where to claim" in result and "Assumptions" in result
    assert serious_violations(browser) == []
    browser.save_screenshot(str(shots / "rights-result.png"))


def test_out_of_range_value_shows_the_error(server, browser, shots):
    browser.get(server + "/score?lang=en")
    field = browser.find_element(By.ID, "f-months_worked_12m")
    field.clear()
    field.send_keys("40")
    browser.find_element(By.CSS_SELECTOR, "#household button.primary").click()
    wait_for_text(browser, "#problems", "is expected")
    alert = browser.find_element(By.ID, "problems")
    assert "a whole number from 0 to 12 (months) is expected" in alert.text
    assert browser.find_element(By.ID, "e-months_worked_12m").is_displayed()
    assert serious_violations(browser) == []
    browser.save_screenshot(str(shots / "score-error.png"))


def test_audit_upload(server, browser, shots):
    browser.get(server + "/audit?lang=en")
    browser.find_element(By.ID, "a-file").send_keys(str(sample_path()))
    groups = browser.find_element(By.ID, "a-groups")
    groups.clear()
    groups.send_keys("sex, nationality")
    browser.find_element(By.CSS_SELECTOR, "button[value=view]").click()
    wait_for_text(browser, "h1", "Whom does")
    body = browser.find_element(By.TAG_NAME, "body").text
    assert "400" in body
    assert "Whom does" in browser.find_element(By.TAG_NAME, "h1").text
    assert serious_violations(browser) == []
    browser.save_screenshot(str(shots / "audit-report.png"))


def test_wrong_file_type_in_the_browser(server, browser, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("hello", encoding="utf-8")
    browser.get(server + "/audit?lang=en")
    browser.find_element(By.ID, "a-file").send_keys(str(notes))
    browser.find_element(By.CSS_SELECTOR, "button[value=view]").click()
    wait_for_text(browser, "main", "neither a CSV")


def _wait_for(folder: Path, name: str, seconds: float = 20) -> Path:
    target = folder / name
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if target.is_file() and target.stat().st_size > 0:
            return target
        time.sleep(0.1)
    raise AssertionError(f"{name} was not downloaded: {sorted(p.name for p in folder.iterdir())}")


def test_axe_check_catches_a_bad_page(browser):
    """The check itself can fail: an unlabelled field and an image without text."""
    browser.get(
        "data:text/html,<html lang=en><title>x</title><body><main><h1>x</h1>"
        "<input type=text><img src=x.png></main></body></html>"
    )
    ids = {v["id"] for v in serious_violations(browser)}
    assert {"label", "image-alt"} <= ids


def wait_for_text(browser, selector: str, text: str, seconds: float = 30) -> None:
    """Wait until the page the last click led to shows ``text`` in ``selector``."""
    WebDriverWait(browser, seconds).until(
        ec.text_to_be_present_in_element((By.CSS_SELECTOR, selector), text)
    )


NO_SCROLL = "return [document.documentElement.scrollWidth, window.innerWidth];"


@pytest.fixture(scope="module")
def report_file(tmp_path_factory) -> Path:
    """A French report of two models, four group columns and the archetypes, on disk."""
    from lanterne.audit import audit_population
    from lanterne.model import TargetingRule, load_model
    from lanterne.population.archetypes import load_archetypes
    from lanterne.report import population_report, write_html

    models = [load_model("fr-cnaf-2014"), load_model("fr-cnaf-dmde-2026")]
    groups = ["family_type", "sex", "age_band", "nationality"]
    rule = TargetingRule(top_share=0.2)
    audits = [
        audit_population(m, sample_path(), group_cols=groups, keep_rows=True, targeting=rule)
        for m in models
    ]
    report = population_report(
        models, audits, data=sample_path(), lang="fr",
        archetypes=load_archetypes("fr-households"), command="lanterne report",
    )  # fmt: skip
    return write_html(report, tmp_path_factory.mktemp("report") / "report.html")


@pytest.mark.parametrize("width", [1280, 390])
def test_no_horizontal_scroll(server, browser, shots, report_file, width):
    """Every page and the report fit the screen: on a phone, nothing scrolls sideways."""
    browser.set_window_size(width, 900)
    try:
        wide = {}
        for i, path in enumerate([*PAGES, "/audit?lang=en"]):
            browser.get(server + path)
            scroll, inner = browser.execute_script(NO_SCROLL)
            assert inner <= width
            if scroll > inner:
                wide[path] = scroll
            if width == 390:
                browser.save_screenshot(str(shots / f"phone-{i:02d}.png"))
        browser.get(report_file.as_uri())
        scroll, inner = browser.execute_script(NO_SCROLL)
        if scroll > inner:
            wide["report"] = scroll
        # the key findings come first: on a phone they start within the first screen
        top = browser.execute_script(
            "return document.querySelector('ol.key').getBoundingClientRect().top;"
        )
        assert top < 900
        assert wide == {}
    finally:
        browser.set_window_size(1280, 1600)
