"""The README's pictures of the web page: the sample corpus indexed, served, and photographed in headless
Chromium (Debian's chromium and chromium-driver) as a user sees it.

    python -m bench.screenshots [--out docs]

Writes web-search.png (a search for 'coup' narrowed to documents naming ECOWAS, with facets and the
timeline) and web-document.png (the first hit's page, the query's words marked). Not a benchmark: it
lives here because, like the benchmarks, it is run on demand and its output is committed.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time
from pathlib import Path

import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from search import index_corpus, server

SAMPLE_CORPUS = Path(__file__).resolve().parent.parent / "corpus"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path("docs"))
    args = parser.parse_args(argv)
    browser, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (browser and driver):
        raise SystemExit("needs Debian's chromium and chromium-driver")
    with tempfile.TemporaryDirectory() as scratch:
        index_dir = Path(scratch) / "index"
        index_corpus(SAMPLE_CORPUS, index_dir)
        sock = server.listening_socket("127.0.0.1", 0)
        served = uvicorn.Server(uvicorn.Config(server.create_app(index_dir), log_level="critical"))
        threading.Thread(target=served.run, kwargs={"sockets": [sock]}, daemon=True).start()
        while not served.started:
            time.sleep(0.05)
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--hide-scrollbars"):
            options.add_argument(argument)
        chrome = webdriver.Chrome(options=options, service=Service(driver))
        try:
            chrome.set_window_size(1200, 900)
            chrome.get(server.address_of(sock) + "/?q=coup")
            facet = "//section[@class='facet'][h3='Organisations']//a[.='ECOWAS']"
            chrome.find_element(By.XPATH, facet).click()
            time.sleep(0.5)
            chrome.save_screenshot(str(args.out / "web-search.png"))
            chrome.find_element(By.CSS_SELECTOR, "li.hit h2 a").click()
            time.sleep(1.0)  # the similar documents, fetched by the page's script
            chrome.save_screenshot(str(args.out / "web-document.png"))
        finally:
            chrome.quit()
            served.should_exit = True
    print(f"wrote {args.out / 'web-search.png'} and {args.out / 'web-document.png'}")


if __name__ == "__main__":
    main()
