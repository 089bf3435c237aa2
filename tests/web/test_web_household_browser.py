"""End to end in Chromium: a social worker sits with a single mother on RSA who rents.

The household is typed once on "Mon score"; the score shows "Vous êtes ici"; the rights
check opens on the same household without retyping (its values travel in the address);
the way back keeps them; the letter downloads as DOCX and PDF, the PDF without the notes
meant for the person. Every page passes axe and has no horizontal scroll at 390 px.
"""

from __future__ import annotations

import io
import re

import test_web_browser as shared
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

# the browser, the server and the folders of the other browser tests (same skip rule)
pytestmark = shared.pytestmark
server, browser, downloads, shots = shared.server, shared.browser, shared.downloads, shared.shots
serious_violations, wait_for_text, _wait_for = (
    shared.serious_violations,
    shared.wait_for_text,
    shared._wait_for,
)

NOTES_ONLY = ("Textes cités", "À savoir avant d'envoyer", "conseil juridique", "non confirmé")


def no_horizontal_scroll(driver) -> bool:
    return driver.execute_script(
        "return document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def check_narrow(driver, folder, name: str) -> None:
    """At 390 px wide (a phone: the device metrics, since a headless window has a minimum
    width), the page does not scroll sideways (a wide table scrolls in its own box)."""
    metrics = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        assert driver.execute_script("return document.documentElement.clientWidth") == 390
        assert no_horizontal_scroll(driver), name
        driver.save_screenshot(str(folder / f"{name}-390.png"))
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def typed(driver, name: str) -> str:
    return driver.find_element(By.ID, f"f-{name}").get_attribute("value")


def test_single_mother_score_rights_and_letter(server, browser, shots, downloads):
    browser.get(server + "/score?archetype=single-mother-rsa")
    # typed once: she worked five months of the last twelve, with irregular income
    for name, value in (("months_worked_12m", "5"), ("income_changes_12m", "5")):
        field = browser.find_element(By.ID, f"f-{name}")
        field.clear()
        field.send_keys(value)
    income = browser.find_element(By.ID, "f-income_monthly")
    income.clear()
    income.send_keys("420")
    browser.find_element(By.CSS_SELECTOR, "#household button.primary").click()
    wait_for_text(browser, "#result", "Vous êtes ici")
    assert browser.current_url.endswith("#result")  # the page moved to the result
    assert browser.execute_script("return window.scrollY") > 0
    result = browser.find_element(By.ID, "result")
    text = result.text
    assert "Le score estime la probabilité" in text
    assert "seuil de sélection" in text
    assert "Les trois éléments qui pèsent le plus" in text
    assert len(result.find_elements(By.CSS_SELECTOR, "ol.top > li")) == 3
    assert result.find_element(By.CSS_SELECTOR, "svg.standing circle")
    # the technical detail is folded: log-odds are not on screen until asked for
    fold = result.find_element(By.TAG_NAME, "details")
    assert fold.get_attribute("open") is None and "log-cote" not in text.split("Détail")[0]
    assert serious_violations(browser) == []
    browser.save_screenshot(str(shots / "mother-score.png"))
    check_narrow(browser, shots, "mother-score")

    # the same household on "Mes droits": nothing typed again
    browser.find_element(By.PARTIAL_LINK_TEXT, "Voir les droits de ce même foyer").click()
    wait_for_text(browser, "#result", "Droits probables", seconds=180)
    assert "family_type=single_parent" in browser.current_url
    assert typed(browser, "income_monthly") == "420" and typed(browser, "n_children") == "2"
    family = Select(browser.find_element(By.ID, "f-family_type"))
    assert family.first_selected_option.get_attribute("value") == "single_parent"
    rights = browser.find_element(By.ID, "result").text
    for benefit in (
        "Revenu de solidarité active",
        "Allocation de soutien familial",
        "Allocations familiales",
        "Complément familial",
        "Complémentaire santé solidaire",
        "Aides au logement",
    ):
        assert benefit in rights, benefit
    links = browser.find_elements(
        By.CSS_SELECTOR, "#result a[href^='https://www.service-public.fr/']"
    )
    assert len(links) == 8  # where to apply, for each benefit
    assert serious_violations(browser) == []
    browser.save_screenshot(str(shots / "mother-rights.png"))
    check_narrow(browser, shots, "mother-rights")

    # and back to the score, still the same household
    browser.find_element(By.PARTIAL_LINK_TEXT, "Voir le score de contrôle").click()
    wait_for_text(browser, "#result", "Vous êtes ici")
    assert typed(browser, "months_worked_12m") == "5" and typed(browser, "income_monthly") == "420"

    # the letter: her details, her Caf, the decision; DOCX and PDF
    browser.find_element(By.ID, "p-name").send_keys("Awa Diallo")
    Select(browser.find_element(By.ID, "p-caf")).select_by_value("59")
    browser.find_element(By.ID, "p-agency_address").send_keys("59863 Lille Cedex 9")
    browser.find_element(By.ID, "p-decision").send_keys("contrôle sur place")
    browser.execute_script("document.getElementById('p-decision_date').value = '2026-10-02'")
    browser.find_element(By.ID, "k-objection").click()
    assert serious_violations(browser) == []
    browser.find_element(By.CSS_SELECTOR, "button[value='letter.docx']").click()
    docx_file = _wait_for(downloads, "lanterne-objection-fr.docx")
    browser.find_element(By.CSS_SELECTOR, "button[value='letter.pdf']").click()
    pdf_file = _wait_for(downloads, "lanterne-objection-fr.pdf")

    import docx
    from pypdf import PdfReader

    words = "\n".join(p.text for p in docx.Document(str(docx_file)).paragraphs)
    pdf = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_file.read_bytes())).pages)
    pdf = re.sub(r"\s+", " ", pdf).replace("’", "'")
    for letter in (words, pdf):
        assert "Awa Diallo" in letter
        assert "Caisse d'allocations familiales du Nord" in letter
        assert "2 octobre 2026" in letter and "contrôle sur place" in letter
        assert "délégué à la protection des données" in letter
        assert [w for w in NOTES_ONLY if w in letter] == []
