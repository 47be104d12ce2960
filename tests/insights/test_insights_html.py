"""The self-contained HTML report: escaped, private, and rendered by headless Chromium."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from bot.insights.charts import PALETTE, ReportImages, render_images
from bot.insights.html import render_html
from bot.insights.stats import Insights
from tests.insights import insights_kit as sc
from tests.support import IN_CI

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_PACKAGE = "chromium"  # Debian package that provides /usr/bin/chromium


@pytest.fixture
def images(insights: Insights) -> ReportImages:
    return render_images(insights)


def test_page_is_self_contained_escaped_and_private(
    insights: Insights, images: ReportImages
) -> None:
    hostile = replace(insights, workspace_name='<script>alert("x")</script> & Co')
    page = render_html(hostile, images)
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in page
    # Nothing is fetched: every resource is inline (and the CSP forbids the rest).
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", page)
    assert page.count('src="data:image/png;base64,') == 2
    assert "default-src 'none'" in page
    # Leaders never see feedback text or anything of a member who left.
    assert sc.SECRET_FEEDBACK not in page
    assert sc.LEFT_NAME not in page


def test_page_carries_the_numbers_and_their_definitions(
    insights: Insights, images: ReportImages
) -> None:
    page = render_html(insights, images)
    for snippet in (
        "Acme &amp; Co",
        "SkillSwap has made 3 new connections (1 across teams).",
        '<div class="value">8</div><div class="label">Pairs introduced</div>',
        "<td>week of 7 Dec 2026</td><td>2026-12-07</td>",
        '<div class="value">63%</div><div class="label">Meeting rate</div>',
        '<div class="value">3.6 / 5</div>',
        '<div class="value">2</div><div class="label">Repeat swaps</div>',
        "met in 2+ rounds or again by choice (twice)",
        "<td>Guitar</td><td class=num>3</td><td class=num>0</td>",
        "<dt>New connections</dt>",
        "<dt>Pairs introduced</dt>",
        "<dt>Skill gaps</dt>",
    ):
        assert snippet in page, snippet


def _chromium() -> str:
    found = os.environ.get("SKILLSWAP_CHROMIUM") or next(
        (path for name in CHROMIUM_NAMES if (path := shutil.which(name))), None
    )
    if found:
        return found
    message = f"headless Chromium not found (apt-get install {CHROMIUM_PACKAGE})"
    if IN_CI:
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


def _run_chromium(
    binary: str, page: Path, work: Path, *mode: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            binary,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            f"--user-data-dir={work / 'profile'}",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,1800",
            *mode,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _console_messages(stderr: str) -> list[str]:
    """What the page logged to its console (CSP violations, script errors, failed loads)."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def test_report_opens_in_headless_chromium_without_errors(
    insights: Insights, images: ReportImages, tmp_path: Path
) -> None:
    binary = _chromium()
    page = tmp_path / "report.html"
    page.write_text(render_html(insights, images), encoding="utf-8")

    shot = tmp_path / "report.png"
    result = _run_chromium(binary, page, tmp_path, f"--screenshot={shot}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert _console_messages(result.stderr) == []
    with Image.open(io.BytesIO(shot.read_bytes())) as image:
        assert image.format == "PNG" and image.size == (1280, 1800)
        pixels = np.asarray(image.convert("RGB")).astype(int)
    # The network picture was decoded and drawn: its team colours are on screen.
    for colour in PALETTE[:3]:
        rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])
        close = np.all(np.abs(pixels - rgb) <= 3, axis=-1)
        assert close.sum() > 100, colour

    dom = _run_chromium(binary, page, tmp_path, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert _console_messages(dom.stderr) == []
    assert 'id="numbers"' in dom.stdout
    assert "SkillSwap has made 3 new connections" in dom.stdout
    assert dom.stdout.count("data:image/png;base64,") == 2


def test_console_check_catches_a_page_that_reaches_out(tmp_path: Path) -> None:
    """The negative control: the same check flags a page that tries to load something."""
    binary = _chromium()
    page = tmp_path / "bad.html"
    page.write_text(
        '<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; img-src data:\"></head><body>"
        '<img src="http://example.invalid/x.png"></body></html>',
        encoding="utf-8",
    )
    result = _run_chromium(binary, page, tmp_path, "--dump-dom")
    assert any("Content Security Policy" in m for m in _console_messages(result.stderr))
