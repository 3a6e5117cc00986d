"""The demo's HTML report, in English and in Chinese, in a real browser: headless Chromium
(Debian's ``chromium``).

How, with the standard library only (no websocket client, no Pillow):
* console errors — Chromium runs with ``--enable-logging=stderr --v=0``, which logs every
  console message and uncaught exception of the page as a ``CONSOLE`` line on stderr;
  ``--dump-dom`` prints the DOM after the scripts ran (our script un-hides the search
  tools, so a DOM with visible tools also proves the script ran to its end);
* network requests — ``--log-net-log=FILE`` records every URL request in JSON. Requests
  the browser makes for itself (update checks …) carry the initiator "not an origin";
  a request made by the page carries the page's file:// site in its network isolation
  key. The page may make none but file: and data: ones;
* rendering — ``--screenshot`` writes a PNG, decoded here with zlib; it must show the
  report (the dark masthead at the top left) and not be blank (many colours).
Before trusting these detectors, each test session runs them on a small page that logs
an error and requests an http URL, and checks they catch both.

Without Chromium the tests skip — unless ``CI`` is set (``.ci/run`` installs Debian's
``chromium`` and ``fonts-wqy-microhei``), where a missing browser is a failure.
"""
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--hide-scrollbars", "--mute-audio"]
TIMEOUT = 120


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def find_chromium() -> str | None:
    override = os.environ.get("EVALUATOR_CHROMIUM")
    if override:
        return shutil.which(override)
    return next((path for path in map(shutil.which, CHROMIUM_NAMES) if path), None)


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        message = ("chromium is not installed (Debian: apt-get install -y chromium "
                   "fonts-wqy-microhei)")
        if _in_ci():
            pytest.fail(f"CI is set but {message}")
        pytest.skip(message)
    return path


def run_chromium(chromium: str, url: str, work: Path, *extra: str) -> tuple[str, str]:
    """Run headless Chromium on ``url``; return (stdout, stderr)."""
    profile = work / "profile"
    profile.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *extra, url],
                          capture_output=True, text=True, timeout=TIMEOUT,
                          encoding="utf-8", errors="replace")
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, done.stderr


def console_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def page_requests(netlog: Path) -> list[str]:
    """URLs the page itself requested (see the module docstring)."""
    data = json.loads(netlog.read_text(encoding="utf-8"))
    found = []
    for event in data.get("events", []):
        params = event.get("params") or {}
        url = params.get("url")
        if not isinstance(url, str):
            continue
        initiator = params.get("initiator")
        isolation = str(params.get("network_isolation_key", ""))
        if (initiator is not None and initiator != "not an origin") or "file://" in isolation:
            found.append(url)
    return found


def load(chromium: str, page: Path, work: Path) -> tuple[str, list[str], list[str]]:
    """(DOM after the scripts ran, console lines, URLs the page requested)."""
    netlog = work / "netlog.json"
    dom, err = run_chromium(chromium, page.as_uri(), work, "--enable-logging=stderr", "--v=0",
                            f"--log-net-log={netlog}", "--virtual-time-budget=3000",
                            "--dump-dom")
    return dom, console_lines(err), page_requests(netlog)


def decode_png(path: Path) -> tuple[int, int, int, bytes]:
    """(width, height, channels, raw pixel bytes) of an 8-bit RGB/RGBA PNG."""
    blob = path.read_bytes()
    assert blob[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, [], None
    while pos < len(blob):
        (length,), kind = struct.unpack(">I", blob[pos:pos + 4]), blob[pos + 4:pos + 8]
        body = blob[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"unexpected PNG type {depth}/{colour}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    raw = zlib.decompress(b"".join(idat))
    stride = width * channels
    out = bytearray(stride * height)
    prev = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(channels, stride):
                line[i] = (line[i] + line[i - channels]) & 255
        elif kind == 2:
            line = bytearray((a + b) & 255 for a, b in zip(line, prev))
        elif kind == 3:
            for i in range(stride):
                left = line[i - channels] if i >= channels else 0
                line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
        elif kind == 4:
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0
                b, c = prev[i], prev[i - channels] if i >= channels else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out[y * stride:(y + 1) * stride] = line
        prev = line
    return width, height, channels, bytes(out)


@pytest.fixture(scope="module")
def demo_result():
    from evaluator.evaluate import default_recipe, evaluate
    from evaluator.model.framework import load_framework
    from evaluator.model.panel import load_panel
    from evaluator.resources import demo_panel_path

    fw = load_framework("resource_city_transition")
    return evaluate(fw, load_panel(demo_panel_path(), fw), default_recipe(fw))


@pytest.fixture(scope="module", params=["en", "zh"])
def demo_report(request, demo_result, tmp_path_factory) -> tuple[Path, list[str], str]:
    """The demo's report in each language (with the score tables beside it), its units
    and its language."""
    from evaluator.report import write_report

    lang = request.param
    out = tmp_path_factory.mktemp(f"browser_report_{lang}")
    write_report(demo_result, out, lang=lang, tables=True)
    units = sorted(set(demo_result.rankings["unit"]))
    year = int(demo_result.rankings["year"].max())
    return out / f"report-{year}-{lang}.html", units, lang


def test_the_detectors_catch_a_console_error_and_a_request(chromium, tmp_path):
    page = tmp_path / "bad.html"
    page.write_text('<!DOCTYPE html><title>bad</title><img src="http://127.0.0.1:9/x.png">'
                    '<script>console.error("detector-check"); missing_function();</script>',
                    encoding="utf-8")
    _, console, requests = load(chromium, page, tmp_path)
    assert any("detector-check" in line for line in console), console
    assert any("missing_function" in line for line in console), console
    assert "http://127.0.0.1:9/x.png" in requests, requests


def test_demo_report_opens_without_console_errors_or_requests(chromium, demo_report, tmp_path):
    page, units, lang = demo_report
    dom, console, requests = load(chromium, page, tmp_path)
    assert f'<html lang="{"zh-CN" if lang == "zh" else "en"}"' in dom
    assert console == [], console
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    assert '<div class="tools" hidden' not in dom and '<div class="tools">' in dom
    # every unit's profile is in the page (the top and bottom ten marked to print)
    assert dom.count('<details class="profile') == len(units) == 262
    assert dom.count('<details class="profile print"') == 20
    for unit in units:
        assert f'<span class="p-name">{unit}' in dom


# runs after the report's own script: sorts by score, then searches
PROBE = """<script>
(function () {
  var table = document.getElementById("ranking-table");
  table.querySelector('th[data-key="score"]').click();            // ascending
  var first = table.tBodies[0].rows[0].querySelector('td[data-col="unit"]');
  document.body.setAttribute("data-first-ascending", first.getAttribute("data-value"));
  table.querySelector('th[data-key="score"]').click();            // descending
  first = table.tBodies[0].rows[0].querySelector('td[data-col="unit"]');
  document.body.setAttribute("data-first-descending", first.getAttribute("data-value"));
  var search = document.getElementById("ranking-search");
  search.value = "示例市00";
  search.dispatchEvent(new Event("input"));
  var shown = Array.prototype.filter.call(table.tBodies[0].rows, function (r) {
    return !r.hidden; }).length;
  document.body.setAttribute("data-shown", String(shown));
})();
</script></body>"""


def test_ranking_table_sorts_and_filters(chromium, demo_report, tmp_path):
    page, units, _ = demo_report
    probe = tmp_path / "probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE),
                     encoding="utf-8")
    dom, console, _ = load(chromium, probe, tmp_path)
    assert console == [], console
    import pandas as pd
    ranking = pd.read_csv(page.parent / "rankings.csv", encoding="utf-8-sig")
    year = ranking[ranking["year"] == ranking["year"].max()].sort_values("score")
    assert f'data-first-ascending="{year["unit"].iloc[0]}"' in dom
    assert f'data-first-descending="{year["unit"].iloc[-1]}"' in dom
    assert f'data-shown="{sum(u.startswith("示例市00") for u in units)}"' in dom


def test_demo_report_screenshot_is_not_blank(chromium, demo_report, tmp_path):
    page, _, _ = demo_report
    shot = tmp_path / "report.png"
    run_chromium(chromium, page.as_uri(), tmp_path, "--window-size=900,700",
                 f"--screenshot={shot}")
    width, height, channels, pixels = decode_png(shot)
    assert (width, height) == (900, 700)

    def pixel(x, y):
        i = (y * width + x) * channels
        return pixels[i:i + 3]
    # the masthead (#1d2733) is drawn: the stylesheet was applied
    r, g, b = pixel(8, 8)
    assert r < 80 and g < 80 and b < 100, (r, g, b)
    colours = {pixel(x, y) for x in range(0, width, 7) for y in range(0, height, 7)}
    assert len(colours) > 30
    light = sum(1 for x in range(0, width, 5) for y in range(0, height, 5)
                if sum(pixel(x, y)) > 600)
    assert 0.2 < light / ((width // 5) * (height // 5)) < 0.98


# -- on paper and in narrow windows (issue 13) -------------------------------------------------
def print_pdf(chromium: str, page: Path, work: Path) -> Path:
    pdf = work / "report.pdf"
    run_chromium(chromium, page.as_uri(), work, "--no-pdf-header-footer",
                 f"--print-to-pdf={pdf}")
    return pdf


def test_demo_report_prints_in_under_60_pages_one_profile_a_page(chromium, demo_report,
                                                                  demo_result, tmp_path):
    """By default only the top and bottom ten profiles print, each on a page of its own;
    the other 242 stay in the file for the screen."""
    from pypdf import PdfReader

    page, units, lang = demo_report
    reader = PdfReader(print_pdf(chromium, page, tmp_path))
    assert 20 < len(reader.pages) < 60
    if lang != "en":      # the page texts are checked on the English report
        return
    texts = [p.extract_text() for p in reader.pages]
    year = demo_result.rankings[demo_result.rankings["year"] == demo_result.rankings["year"].max()]
    ranked = year.dropna(subset=["rank"]).sort_values("rank", kind="mergesort")
    n = len(ranked)
    printed = list(ranked["rank"].head(10)) + list(ranked["rank"].tail(10))
    for rank in ranked["rank"].unique():
        line = f"Rank {int(rank)} of {n}"
        on = [k for k, text in enumerate(texts) if line in text]
        if rank in printed:
            assert len(on) == 1, (line, on)
            others = [r for r in printed if r != rank and f"Rank {int(r)} of {n}" in texts[on[0]]]
            assert others == [], (line, others)        # one profile per page
            assert "Score and rank over the years" in texts[on[0]]
        else:
            assert on == [], line


FIT_PROBE = """<style>main > section:not(#ranking), .masthead, .toc, .banner, .foot
{ display: none !important; }</style>
<script>(function () {
  var box = document.querySelector("#ranking .tablebox");
  var table = document.getElementById("ranking-table");
  var cells = table.tHead.rows[0].cells, last = cells[cells.length - 1].getBoundingClientRect();
  document.body.setAttribute("data-fit", [box.scrollWidth, box.clientWidth,
    Math.ceil(table.getBoundingClientRect().right), Math.floor(last.left), Math.floor(last.top),
    Math.ceil(last.right), Math.ceil(last.bottom), window.innerWidth].join(","));
})();
</script></body>"""


@pytest.mark.parametrize("width", [900, 1400])
def test_the_whole_ranking_table_fits_900_and_1400_pixels(chromium, demo_report, tmp_path,
                                                          width):
    """Measured by the browser's own layout: the table box does not scroll sideways and
    its last column ends inside the window; the screenshot shows that column's header."""
    page, _, _ = demo_report
    probe = page.parent / f"fit-{width}.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", FIT_PROBE),
                     encoding="utf-8")
    try:
        dom, _ = run_chromium(chromium, probe.as_uri(), tmp_path, f"--window-size={width},800",
                              "--virtual-time-budget=3000", "--dump-dom")
        scroll, client, right, x0, y0, x1, y1, window = map(
            int, dom.split('data-fit="', 1)[1].split('"', 1)[0].split(","))
        assert scroll <= client, (scroll, client)
        assert x1 <= right <= window, (x1, right, window)
        shot = tmp_path / f"ranking-{width}.png"
        run_chromium(chromium, probe.as_uri(), tmp_path, f"--window-size={width},800",
                     f"--screenshot={shot}")
        w, h, channels, pixels = decode_png(shot)
        assert (w, h) == (width, 800) and y1 < h

        def ink(x, y):
            i = (y * w + x) * channels
            return sum(pixels[i:i + 3]) < 300
        # the last column's header text is drawn inside the window
        assert sum(ink(x, y) for x in range(x0, x1) for y in range(y0, y1)) > 20
    finally:
        probe.unlink()


MAP_PROBE = """<script>(function () {
  var fills = {}, n = 0;
  document.querySelectorAll("svg.map [data-unit]").forEach(function (p) {
    n += 1;
    var f = getComputedStyle(p).fill;
    fills[f] = (fills[f] || 0) + 1;
  });
  document.body.setAttribute("data-map", n + "|" + JSON.stringify(fills));
})();
</script></body>"""


def test_a_synthetic_geojson_map_colours_every_unit_in_the_browser(chromium, demo_result,
                                                                    tmp_path):
    """The colours the browser paints (computed style of each unit's shape): 262 shapes,
    five classes of the Blues ramp, none grey."""
    from test_report_pictures import grid_geojson

    from evaluator.report import write_report

    units = sorted(set(demo_result.rankings["unit"].astype(str)))
    write_report(demo_result, tmp_path / "out", lang="zh", geo=grid_geojson(units))
    page = next((tmp_path / "out").glob("report-*-zh.html"))
    probe = tmp_path / "map.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", MAP_PROBE),
                     encoding="utf-8")
    dom, _ = run_chromium(chromium, probe.as_uri(), tmp_path, "--virtual-time-budget=3000",
                          "--dump-dom")
    n, fills = dom.split('data-map="', 1)[1].split('"', 1)[0].split("|", 1)
    fills = json.loads(fills.replace("&quot;", '"'))
    assert int(n) == 262
    assert set(fills) == {"rgb(239, 243, 255)", "rgb(189, 215, 231)", "rgb(107, 174, 214)",
                          "rgb(49, 130, 189)", "rgb(8, 81, 156)"}
    assert sum(fills.values()) == 262
