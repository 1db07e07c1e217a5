"""The web page in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`) driven by
selenium, as a user would use it: search, click a facet, narrow by a timeline bar, open a document,
export, complete an actor's name; a document holding a script stays text; the page works without
JavaScript and on a phone-sized window, and the browser reports no error (a script or style the
Content-Security-Policy blocked would be one).

Without Chromium the tests skip saying so; `SEARCH_BROWSER_TESTS=required` (which .ci/run sets) makes that
a failure. Screenshots of each view are written to build/screenshots/ (SEARCH_SCREENSHOTS: elsewhere),
kept as artifacts of the run, never committed.
"""

from __future__ import annotations

import csv
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from search import index_corpus, open_index, server

from .conftest import PROJECT_ROOT, WEB_CORPUS, running, write_corpus

CHROMIUM = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
DRIVER = shutil.which("chromedriver")
SCREENSHOTS = Path(os.environ.get("SEARCH_SCREENSHOTS") or PROJECT_ROOT / "build" / "screenshots")
WAIT = 20.0  # seconds a page may take to show what is waited for

if not (CHROMIUM and DRIVER):
    reason = (
        "no headless Chromium here: install Debian's chromium and chromium-driver to run the browser tests"
    )
    if os.environ.get("SEARCH_BROWSER_TESTS") == "required":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)

from selenium import webdriver  # noqa: E402  (only with a browser to drive)
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402


def chromium(downloads: Path, javascript: bool = True) -> WebDriver:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        "--hide-scrollbars",
    ):
        options.add_argument(argument)
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium's sandbox refuses to run as root (a CI container)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    prefs: dict[str, Any] = {
        "download.default_directory": str(downloads),
        "download.prompt_for_download": False,
    }
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(options=options, service=Service(str(DRIVER)))
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    return driver


@pytest.fixture(scope="module")
def site(web_index: Path) -> Iterator[str]:
    with running(server.create_app(web_index)) as url:
        yield url


@pytest.fixture(scope="module")
def downloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("downloads")


@pytest.fixture(scope="module")
def browser(downloads: Path) -> Iterator[WebDriver]:
    driver = chromium(downloads)
    try:
        yield driver
    finally:
        driver.quit()


def until(condition: Callable[[], Any], what: str) -> Any:
    """condition()'s first true value within WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"waited {WAIT:g} s for {what}")


def screenshot(driver: WebDriver, name: str) -> None:
    """The whole page as a PNG in SCREENSHOTS, to look at after the run."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    width = driver.get_window_size()["width"]
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(max(height, 600), 4000))
    driver.save_screenshot(str(SCREENSHOTS / name))
    driver.set_window_size(width, 900)


def total(driver: WebDriver) -> int:
    text = driver.find_element(By.ID, "total").text
    return int(text.split()[0].replace(",", "")) if text[:1].isdigit() else 0


def errors(driver: WebDriver) -> list[str]:
    """What the browser's console said was wrong (a blocked script or style, a failed request)."""
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def query_of(driver: WebDriver) -> dict[str, list[str]]:
    return parse_qs(urlsplit(driver.current_url).query)


def test_search_click_a_facet_narrow_by_a_bar_and_read_a_document(
    browser: WebDriver, site: str, web_index: Path
) -> None:
    browser.get(site + "/")
    browser.find_element(By.TAG_NAME, "body").send_keys("/")  # "/" puts the cursor in the search box
    box = browser.switch_to.active_element
    assert box.get_attribute("id") == "q"
    box.send_keys("mali", Keys.ENTER)
    until(lambda: query_of(browser).get("q") == ["mali"], "the search for mali")
    assert total(browser) == open_index(web_index).search("mali").total
    screenshot(browser, "search.png")

    facet = browser.find_element(By.XPATH, "//section[@class='facet'][h3='Organisations']//a[.='ECOWAS']")
    count = int(facet.find_element(By.XPATH, "../span").text)
    facet.click()
    until(lambda: query_of(browser).get("actor") == ["=ecowas"], "the actor filter")
    assert total(browser) == count
    assert "actor: ECOWAS" in browser.find_element(By.CLASS_NAME, "chips").text

    bar = browser.find_element(By.CSS_SELECTOR, "figure.timeline a[aria-label^='2012-03'] rect.bar")
    bar.click()
    until(lambda: query_of(browser).get("since") == ["2012-03"], "the dates of the bar")
    assert query_of(browser)["until"] == ["2012-03"] and query_of(browser)["actor"] == ["=ecowas"]
    assert total(browser) == 2
    screenshot(browser, "narrowed.png")

    browser.find_element(By.CSS_SELECTOR, "li.hit h2 a").click()
    until(lambda: urlsplit(browser.current_url).path == "/read", "the document page")
    marks = [mark.text.lower() for mark in browser.find_elements(By.CSS_SELECTOR, ".text mark")]
    assert marks and set(marks) == {"mali"}
    # Similar documents are listed by the page's script, from the API.
    until(lambda: browser.find_elements(By.CSS_SELECTOR, "#similar ul li a"), "similar documents")
    screenshot(browser, "document.png")
    assert not errors(browser)


def test_of_several_indexes_the_scripts_similar_documents_name_their_index(
    browser: WebDriver, web_index: Path, tmp_path: Path
) -> None:
    """The document page's script lists similar documents from the API: of two indexes holding the same
    ids, each link names the index holding it, and opening one opens that index's document."""
    index_corpus(write_corpus(tmp_path / "corpus", dict(WEB_CORPUS)), tmp_path / "index")
    with running(server.create_app([web_index, tmp_path / "index"])) as url:
        browser.get(url + "/read?id=b.txt&index=2")
        links = until(lambda: browser.find_elements(By.CSS_SELECTOR, "#similar ul li a"), "similar documents")
        wanted = [
            (hit.id, str(hit.index))
            for hit in open_index([web_index, tmp_path / "index"]).similar("b.txt", limit=8, index=2).hits
        ]
        queries = [parse_qs(urlsplit(link.get_attribute("href")).query) for link in links]
        assert [(query["id"][0], query["index"][0]) for query in queries] == wanted
        assert {number for _, number in wanted} == {"1", "2"}  # both indexes' copies of the stories
        links[0].click()
        until(lambda: urlsplit(browser.current_url).path == "/read", "the document page")
        assert not browser.find_elements(By.CLASS_NAME, "error") and not errors(browser)


def test_export_downloads_every_hit_as_csv(browser: WebDriver, site: str, downloads: Path) -> None:
    browser.get(site + "/?q=harmattan")
    browser.find_element(By.LINK_TEXT, "CSV").click()
    saved = until(lambda: (downloads / "search.csv").is_file() and downloads / "search.csv", "the download")
    time.sleep(0.2)  # (the browser renames the file when it is whole)
    with saved.open(newline="", encoding="utf-8") as lines:
        rows = list(csv.DictReader(lines))
    assert len(rows) == total(browser) == 24 and rows[0]["id"].startswith("paging-")


def test_a_document_holding_a_script_renders_as_text(browser: WebDriver, site: str) -> None:
    for url in ("/?q=mali+report", "/read?id=hostile.txt&q=coup"):
        browser.get(site + url)
        with pytest.raises(NoAlertPresentException):
            browser.switch_to.alert.text  # noqa: B018  (no script of the document ran)
        assert browser.execute_script("return document.querySelectorAll('script').length") == 1
        assert browser.execute_script("return document.querySelectorAll('img, b, [onerror]').length") == 0
    heading = browser.find_element(By.TAG_NAME, "h1").text
    assert heading.startswith('<script>alert("title")</script> Mali <img')
    assert '<script>alert("body")</script>' in browser.find_element(By.CLASS_NAME, "text").text
    screenshot(browser, "hostile.png")


def test_actor_names_complete_from_the_index(browser: WebDriver, site: str, web_index: Path) -> None:
    browser.get(site + "/")
    browser.find_element(By.ID, "actor").click()
    names = until(
        lambda: browser.execute_script(
            "return Array.from(document.querySelectorAll('#actor-names option'), o => o.value)"
        ),
        "the actor names",
    )
    assert {"ECOWAS", "Mali"} <= set(names)
    browser.find_element(By.ID, "actor").send_keys("ECOWAS", Keys.ENTER)
    until(lambda: query_of(browser).get("actor") == ["ECOWAS"], "the search by actor")
    assert total(browser) == open_index(web_index).search(None, actors=["ECOWAS"]).total == 3


def test_the_page_fits_a_phone_sized_window(browser: WebDriver, site: str) -> None:
    browser.set_window_size(390, 844)
    try:
        for url in ("/?q=mali", "/read?id=b.txt&q=junta"):
            browser.get(site + url)
            assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        browser.get(site + "/?q=mali")
        screenshot(browser, "phone.png")
    finally:
        browser.set_window_size(1280, 900)


def test_searching_and_reading_work_without_javascript(site: str, tmp_path: Path) -> None:
    driver = chromium(tmp_path, javascript=False)
    try:
        driver.get(site + "/")
        driver.find_element(By.ID, "q").send_keys("junta", Keys.ENTER)
        until(lambda: query_of(driver).get("q") == ["junta"], "the search")
        driver.find_element(By.XPATH, "//section[@class='facet'][h3='Outlets']//a[.='Daily']").click()
        until(lambda: query_of(driver).get("source") == ["Daily"], "the outlet filter")
        driver.find_element(By.CSS_SELECTOR, "li.hit h2 a").click()
        until(lambda: driver.find_elements(By.CSS_SELECTOR, ".text mark"), "the document")
        driver.find_element(By.LINK_TEXT, "Show documents like this one").click()
        until(lambda: driver.find_elements(By.CSS_SELECTOR, "li.hit"), "similar documents")
    finally:
        driver.quit()
