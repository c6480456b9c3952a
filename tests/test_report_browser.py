"""The HTML report in a real browser: headless system Chromium driven by Playwright.

Skips (with the reason) only when Playwright or a Chromium binary is missing; a browser
that exists but fails is a failure.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from report_stories import HOSTILE, big_story, sample_story

from ficlens.writers.report import write_report
from ficlens.writers.report.render import PAGE_SIZE

LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run",
               "--disable-dev-shm-usage"]


def find_chromium() -> str | None:
    """The system Chromium: $FICLENS_CHROMIUM, else the Debian package's binary."""
    candidates = [os.environ.get("FICLENS_CHROMIUM"), shutil.which("chromium"),
                  shutil.which("chromium-browser"), "/usr/bin/chromium", "/usr/lib/chromium/chromium"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    executable = find_chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine: apt-get install -y chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=LAUNCH_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    root = tmp_path_factory.mktemp("report")
    from ficlens import analyze

    stories = {"sample": sample_story(), "hostile": sample_story(hostile=True),
               "plain": sample_story(with_emotions=False), "big": big_story(500_000),
               "ao3": analyze(Path(__file__).parent / "fixtures" / "report_hostile_ao3.html")}
    return {name: write_report(story, root / f"{name}.html") for name, story in stories.items()}


class Opened:
    """A page loaded from a file, with everything it logged, requested or popped up."""

    def __init__(self, browser, path: Path, timeout_ms: int = 30_000, bypass_csp: bool = False) -> None:
        self.context = browser.new_context(viewport={"width": 1280, "height": 900},
                                           bypass_csp=bypass_csp)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: m.type in ("error", "warning") and self.errors.append(
            f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.url = path.resolve().as_uri()
        started = time.perf_counter()
        self.page.goto(self.url)
        self.page.wait_for_selector("body[data-ready=true]", timeout=timeout_ms)
        self.seconds = time.perf_counter() - started

    def close(self) -> None:
        self.context.close()

    def lines(self) -> list[str]:
        return self.page.eval_on_selector_all("#script-lines .line", "ls => ls.map(l => l.dataset.speaker)")


@pytest.fixture()
def opened(browser, pages):
    seen: list[Opened] = []

    def open_page(name: str, bypass_csp: bool = False) -> Opened:
        page = Opened(browser, pages[name], bypass_csp=bypass_csp)
        seen.append(page)
        return page

    yield open_page
    for page in seen:
        page.close()


def _point_at(page, locator, click: bool = False) -> None:
    """Move the mouse onto a Plotly point (its drag layer sits on top, so no element hover)."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    if click:
        page.mouse.click(x, y)
    page.wait_for_timeout(50)


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not on screen"
    return box


def test_cast_table_lists_the_characters_and_sorts(opened):
    view = opened("sample")
    names = view.page.locator("#cast-table tbody button.who").all_text_contents()
    assert names == ["Mara Quill", "Tobias Fenn", "Edda"]  # by quotes, then mentions
    view.page.click("#cast-table th:nth-child(1) button")
    assert view.page.locator("#cast-table tbody button.who").all_text_contents() == [
        "Edda", "Mara Quill", "Tobias Fenn"]
    view.page.click("#cast-table th:nth-child(1) button")
    assert view.page.locator("#cast-table tbody button.who").all_text_contents() == [
        "Tobias Fenn", "Mara Quill", "Edda"]
    view.page.click("#cast-table th:nth-child(6) button")  # words spoken, descending first
    assert view.page.locator("#cast-table tbody button.who").all_text_contents()[0] == "Mara Quill"


def test_page_is_quiet_offline_and_draws_its_plots(opened):
    view = opened("sample")
    for plot in ("#network-plot", "#arcs-plot", "#relationships-plot", "#places-plot"):
        box = _box(view.page, f"{plot} svg.main-svg")
        assert box["width"] > 200 and box["height"] > 100, plot
    # three characters drawn as nodes; two arcs (valence) drawn by default
    assert view.page.locator("#network-plot .scatterlayer .trace:last-child .point").count() == 3
    assert view.page.locator("#arcs-plot .scatterlayer .trace").count() == 3
    assert view.page.locator("#places-plot .bars .point").count() == 3
    _point_at(view.page, view.page.locator("#network-plot .scatterlayer .trace:last-child .point").first)
    assert view.page.locator("#network-plot .hovertext").count() == 1
    assert view.errors == []
    assert view.requests == [view.url], "the page asked for something besides itself"


def test_user_picks_arc_characters_and_emotion(opened):
    view = opened("sample")
    page = view.page
    visible = "el => el.data.map(t => t.name)"
    assert page.eval_on_selector("#arcs-plot", visible) == ["Mara Quill", "Tobias Fenn", "Edda"]
    page.click("#arc-none")
    assert page.eval_on_selector("#arcs-plot", visible) == []
    page.locator("#arc-picker label", has_text="Edda").locator("input").check()
    page.select_option("#arc-emotion", "fear")
    assert page.eval_on_selector("#arcs-plot", visible) == ["Edda"]
    assert page.eval_on_selector("#arcs-plot", "el => el.data[0].y") == [0.0, 0.0]
    page.select_option("#arc-source", "speech")
    page.locator("#arc-picker label", has_text="Mara Quill").locator("input").check()
    assert page.eval_on_selector("#arcs-plot", visible) == ["Mara Quill", "Edda"]
    assert page.eval_on_selector("#arcs-plot", "el => el.data[0].y") == [0.4, 0.1]
    _point_at(page, page.locator("#arcs-plot .scatterlayer .trace").first.locator(".point").first)
    hover = page.locator("#arcs-plot .hoverlayer").text_content()
    assert "The Lighthouse" in hover and "0.400" in hover and "Mara Quill" in hover
    assert page.eval_on_selector("#relationships-plot", visible) == [
        "Mara Quill → Tobias Fenn", "Edda → Mara Quill"]
    assert view.errors == []


def test_script_view_narration_and_filters(opened):
    from playwright.sync_api import expect

    view = opened("sample")
    page = view.page
    assert len(view.lines()) == 9
    # narration is collapsed until asked for
    first = page.locator("#script-lines .line").first.locator("details.narr")
    assert not first.evaluate("d => d.open")
    assert not page.get_by_text("Rain hammered the lamp room").is_visible()
    first.locator("summary").click()
    assert page.get_by_text("Rain hammered the lamp room").is_visible()
    page.check("#open-narration")
    assert page.locator("#script-lines details.narr:not([open])").count() == 0
    # a character picked in the cast table, in the script, or in the network
    page.click("#cast-table button.who:text-is('Edda')")
    assert view.lines() == ["2", "2"]
    assert page.locator("#filter-status").text_content() == "Lines of Edda"
    page.click("#clear-filter")
    assert len(view.lines()) == 9
    page.locator("#script-lines .line").nth(1).locator("button.speaker").click()  # Tobias
    assert view.lines() == ["1", "1", "1"]
    page.click("#clear-filter")
    _point_at(page, page.locator("#network-plot .scatterlayer .trace:last-child .point").nth(0), click=True)
    expect(page.locator("#filter-status")).to_have_text("Lines of Mara Quill")
    assert view.lines() == ["0", "0", "0"]
    page.click("#clear-filter")
    page.fill("#script-search", "OWE")
    assert view.lines() == ["0", "1"]  # "I owe you a supper", "We all owe her"
    page.click("#cast-table button.who:text-is('Tobias Fenn')")
    assert view.lines() == ["1"]
    page.click("#clear-filter")
    page.fill("#script-search", "")
    assert len(view.lines()) == 9
        # the uncertain ones: Mara at 0.42, Tobias at 0.3, and the line nobody was found for
    page.check("#low-only")
    assert view.lines() == ["0", "-1", "1"]
    assert page.locator("#script-lines .line .conf-badge").count() == 3
    assert view.errors == []


def test_no_emotion_data_is_said_not_drawn(opened):
    view = opened("plain")
    assert view.page.locator("#no-emotion").is_visible()
    assert view.page.locator("#arcs-plot").count() == 0
    assert _box(view.page, "#network-plot svg.main-svg")["width"] > 200
    assert view.errors == []
    assert view.requests == [view.url]


@pytest.mark.parametrize("bypass_csp", [False, True], ids=["with-csp", "escaping-alone"])
def test_hostile_story_executes_nothing(opened, bypass_csp):
    view = opened("hostile", bypass_csp=bypass_csp)
    page = view.page
    # Exercise every view that shows story strings: hover labels, narration, filters, sorting.
    for i in range(3):
        _point_at(page, page.locator("#network-plot .scatterlayer .trace:last-child .point").nth(i))
        assert page.locator("#network-plot .hovertext").count() == 1
    _point_at(page, page.locator("#places-plot .bars .point").first)
    assert page.locator("#places-plot .hovertext").count() == 1
    _point_at(page, page.locator("#arcs-plot .scatterlayer .trace").first.locator(".point").first)
    assert HOSTILE in page.locator("#arcs-plot .hoverlayer").text_content()
    page.check("#open-narration")
    page.click("#cast-table th:nth-child(2) button")
    page.locator("#script-lines button.speaker").first.click()
    page.click("#arc-all")
    page.wait_for_timeout(300)
    assert view.dialogs == []
    assert page.evaluate("document.body.dataset.pwned") is None
    assert page.locator("img, iframe, object, embed, form").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 3
    assert page.locator("#story-title").text_content() == HOSTILE
    assert page.title().startswith(HOSTILE)
    names = page.locator("#cast-table tbody button.who").all_text_contents()
    assert sorted(names) == [f"Edda {HOSTILE}", f"Mara Quill {HOSTILE}", f"Tobias Fenn {HOSTILE}"]
    assert view.errors == []
    assert view.requests == [view.url]


def test_hostile_ao3_download_executes_nothing(opened):
    view = opened("ao3")
    page = view.page
    page.check("#open-narration")
    for button in page.locator("#cast-table button.who").all():
        button.click()
    page.click("#clear-filter")
    for i in range(page.locator("#network-plot .scatterlayer .trace:last-child .point").count()):
        _point_at(page, page.locator("#network-plot .scatterlayer .trace:last-child .point").nth(i))
    page.wait_for_timeout(200)
    assert view.dialogs == []
    assert page.locator("img, iframe, svg:not(.main-svg):not(.main-svg *) script, form").count() == 0
    assert page.locator("a[href^='javascript'], [onerror], [onload], [onclick], [onmouseover]").count() == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 3
    assert page.locator("#story-title").text_content() == "</script><img src=x onerror=alert(1)>"
    header = page.locator("#header").text_content()
    assert "Teen <script>alert(2)</script>" in header and "<a href=\"javascript:alert(7)\">" in header
    lines = page.locator("#script-lines").text_content()
    assert "<script>alert(15)</script>" in lines
    assert view.errors == [] and view.requests == [view.url]


def test_500k_word_story_opens_fast_and_pages(opened):
    view = opened("big")
    page = view.page
    assert view.seconds < 10, f"the page took {view.seconds:.1f}s to be ready"
    assert len(view.lines()) == PAGE_SIZE
    first = page.locator("#script-lines .line").first.get_attribute("data-quote")
    page.click("#pager button[data-go=next]")
    assert len(view.lines()) == PAGE_SIZE
    assert page.locator("#script-lines .line").first.get_attribute("data-quote") != first
    page.click("#pager button[data-go=last]")
    status = page.locator("#page-status").text_content()
    assert status.endswith(f"page {status.split(' of ')[-1]} of {status.split(' of ')[-1]}")
    page.click("#cast-table button.who:text-is('Person3 Surname3')")
    speakers = view.lines()
    assert speakers and set(speakers) == {"3"}
    assert page.locator("#script-lines .line, #script-lines details").count() < 3 * PAGE_SIZE
    assert view.errors == []
    assert view.requests == [view.url]
