"""Make `docs/report.png`: analyze the sample story, write its report, photograph it.

    python scripts/make_report_screenshot.py [--story examples/sample_story.txt]
        [--out docs/report.png] [--html sample_report.html] [--chromium /usr/bin/chromium]
        [--lines 10]

Needs the system Chromium (`apt-get install -y chromium`) and Playwright for Python
(`pip install -e '.[dev]'`); Playwright's own browser download is not used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               "--disable-dev-shm-usage"]


def find_chromium(given: str | None) -> str:
    """The Chromium binary to drive: --chromium, $FICLENS_CHROMIUM, or the system one."""
    for candidate in (given, os.environ.get("FICLENS_CHROMIUM"), shutil.which("chromium"),
                      shutil.which("chromium-browser"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    sys.exit("make_report_screenshot: no Chromium found (apt-get install -y chromium)")


def screenshot(html: Path, out: Path, chromium: str, width: int = 1280) -> None:
    """A full-page PNG of the report, with the network's hover label showing."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": width, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(html.resolve().as_uri())
        page.wait_for_selector("body[data-ready=true]", timeout=30_000)
        page.locator("#script-lines details.narr").first.locator("summary").click()
        page.evaluate("window.scrollTo(0, 0)")  # the sticky bar belongs at the top
        page.screenshot(path=str(out), full_page=True)
        browser.close()
    extra = [u for u in requests if u != html.resolve().as_uri()]
    if extra:
        sys.exit(f"make_report_screenshot: the page made requests: {extra}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--story", type=Path, default=REPO / "examples" / "sample_story.txt")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "report.png")
    parser.add_argument("--html", type=Path, help="also keep the report page here")
    parser.add_argument("--chromium", help="path of the Chromium binary")
    parser.add_argument("--lines", type=int, default=10, help="script lines per page (default 10)")
    args = parser.parse_args()

    from ficlens import analyze
    from ficlens.writers.report import write_report

    chromium = find_chromium(args.chromium)
    started = time.perf_counter()
    story = analyze(args.story)
    with tempfile.TemporaryDirectory() as tmp:
        html = args.html or Path(tmp) / "report.html"
        # A short script page keeps the picture to one screenful per section.
        write_report(story, html, page_size=args.lines)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        screenshot(html, args.out, chromium)
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KB) from {args.story} "
          f"in {time.perf_counter() - started:.1f}s", file=sys.stderr)


if __name__ == "__main__":
    main()
