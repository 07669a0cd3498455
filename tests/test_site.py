"""The documentation site reads well in a browser.

- Its stylesheet (docs/stylesheets/extra.css) is part of the site, and has the rules that keep
  tables and code whole at 1280 px or let them scroll visibly, and Korean words whole.
- Korean pages are marked ``lang="ko"`` (the hook docs/page_language.py), the others ``en``.
- README.ko.md opens with the two commands README.md opens with, and its prose writes
  particles after math and code the way Korean is written.
- Where Chromium and Playwright are installed, every built page is laid out at 1280x800 in a
  real browser and no code block, table or page is wider than its box (skipped otherwise: CI
  installs only the ``dev`` extra).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CSS = ROOT / "docs" / "stylesheets" / "extra.css"
KOREAN_PAGES = {"ko.html", "pytorch.ko.html"}


def load_hook():
    spec = importlib.util.spec_from_file_location("page_language",
                                                  ROOT / "docs" / "page_language.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def css_rules() -> dict[str, str]:
    """selector -> declarations of docs/stylesheets/extra.css (comments dropped)."""
    text = re.sub(r"/\*.*?\*/", "", CSS.read_text(encoding="utf-8"), flags=re.S)
    rules: dict[str, str] = {}
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        rules[" ".join(selector.split())] = " ".join(body.split())
    return rules


def test_the_stylesheet_and_the_hook_are_in_mkdocs_yml() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^extra_css:\s*\n\s+- stylesheets/extra\.css\s*$", config, re.M)
    assert re.search(r"^\s+- docs/page_language\.py\s*$", config, re.M)
    # the table of contents in the left navigation: the content column is wide enough
    assert re.search(r"^\s+- toc\.integrate\s*$", config, re.M)
    assert CSS.is_file()


def test_the_stylesheet_keeps_tables_code_and_korean_whole() -> None:
    rules = css_rules()
    code = rules[".md-typeset pre > code"]
    assert "scrollbar-width: auto" in code  # not the theme's hairline scrollbar
    assert "local" in code and "scroll" in code  # scroll shadows
    assert "min-width: 0" in rules[".md-typeset table:not([class]) th"]
    assert "overflow-wrap: anywhere" in rules[".md-typeset table:not([class]) td code"]
    wrap = rules[".md-typeset__scrollwrap"]
    assert "scrollbar-width: auto" in wrap and "local" in wrap
    korean = rules[":lang(ko) .md-typeset, .md-nav__link"]
    assert "word-break: keep-all" in korean


def test_the_language_of_a_page() -> None:
    language = load_hook().page_language
    assert language("ko.md", {}) == "ko"
    assert language("pytorch.ko.md", {}) == "ko"
    assert language("reference/ops.md", {}) is None
    assert language("book.md", {}) is None  # "ko" as a suffix, not as letters of a name
    assert language("index.md", {"lang": "ja"}) == "ja"


def test_the_hook_marks_only_the_html_element() -> None:
    hook = load_hook()

    class File:
        src_uri = "pytorch.ko.md"

    class Page:
        file = File()
        meta: dict = {}

    html = '<!doctype html>\n<html lang="en" class="no-js">\n<body lang="en"></body></html>'
    out = hook.on_post_page(html, page=Page(), config=None)
    assert out == '<!doctype html>\n<html lang="ko" class="no-js">\n<body lang="en"></body></html>'
    File.src_uri = "index.md"
    assert hook.on_post_page(html, page=Page(), config=None) == html


def prose(path: Path) -> str:
    """The text of a Markdown file without its fenced blocks and inline code."""
    text = re.sub(r"^```.*?^```", "", path.read_text(encoding="utf-8"), flags=re.M | re.S)
    return re.sub(r"`[^`\n]+`", "CODE", text)


def test_readme_ko_opens_with_the_commands_of_readme() -> None:
    def first_block(path: Path) -> list[str]:
        block = re.search(r"^```bash\n(.*?)^```", path.read_text(encoding="utf-8"),
                          re.M | re.S).group(1)
        return [line.split("#")[0].strip() for line in block.splitlines()]

    english, korean = first_block(ROOT / "README.md"), first_block(ROOT / "README.ko.md")
    assert korean == english
    assert any(line.endswith("python -m tape") for line in korean)
    assert any(line.endswith("python -m pytest") for line in korean)
    head = (ROOT / "README.ko.md").read_text(encoding="utf-8")[:400]
    assert "python -m tape" in head


@pytest.mark.parametrize("name", ["README.ko.md", "docs/pytorch.ko.md"])
def test_korean_particles_follow_math_and_code(name: str) -> None:
    text = prose(ROOT / name)
    # a particle set apart from the formula or number it belongs to ("x² + x 를", "5 입니다")
    particles = "을|를|이|가|은|는|에서|에|로|의|입니다|이므로"
    detached = re.findall(rf"[A-Za-z0-9²)] (?:{particles})(?=[\s.,])", text)
    assert not detached, detached
    # a one-letter variable or a formula in plain text glued to Hangul ("x는"): marked as code
    glued = re.findall(r"(?<![\w`.'/-])[a-z](?:[²³]|\([^)]*\))?(?=[가-힣])", text)
    assert not glued, glued
    assert "$" not in text  # the site renders no TeX: formulas are written in Unicode
    assert "근사값" not in text  # the standard spelling is 근삿값


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for module in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers.python"):
        pytest.importorskip(module, reason=f"building the site needs '{module}' "
                            "(pip install -e '.[docs]')")
    out = tmp_path_factory.mktemp("site")
    proc = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def built_pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if p.name != "404.html")


def test_built_pages_use_the_stylesheet_and_their_language(site: Path) -> None:
    pages = built_pages(site)
    assert {p.name for p in pages} >= KOREAN_PAGES | {"index.html", "performance.html"}
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert re.search(r'<link rel="stylesheet" href="(\.\./)*stylesheets/extra\.css', html), page
        lang = re.search(r'<html lang="(\w+)"', html).group(1)
        rel = str(page.relative_to(site))
        assert lang == ("ko" if rel in KOREAN_PAGES else "en"), rel
        # no right-hand table of contents: it is in the left navigation
        assert "md-sidebar--secondary" not in html, rel
    assert (site / "stylesheets" / "extra.css").read_bytes() == CSS.read_bytes()


def test_built_korean_page_keeps_formulas_in_code(site: Path) -> None:
    html = (site / "ko.html").read_text(encoding="utf-8")
    assert "<code>f(x) = x² + x</code>를" in html
    opening = re.sub(r"<[^>]+>", "", html.split('<h2 id="')[0])  # before the first section
    assert "python -m tape" in opening and "python -m pytest" in opening


MEASURE = """() => {
  const wide = [];
  for (const el of document.querySelectorAll(
      '.md-typeset pre > code, .md-typeset table, .md-typeset__scrollwrap')) {
    if (el.scrollWidth > el.clientWidth + 1)
      wide.push(el.tagName + ' ' + el.scrollWidth + '>' + el.clientWidth + ': '
                + el.innerText.slice(0, 40));
  }
  if (document.documentElement.scrollWidth > innerWidth) wide.push('the page itself');
  return wide;
}"""


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def test_tables_and_code_fit_at_1280_px_in_chromium(site: Path) -> None:
    sync_api = pytest.importorskip("playwright.sync_api",
                                   reason="laying pages out in a browser needs Playwright")
    executable = chromium()
    if executable is None:
        pytest.skip("laying pages out in a browser needs Chromium (apt-get install chromium)")
    too_wide = {}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            # the theme's web fonts are blocked: the layout is measured with local fonts
            page.route(re.compile(r"^https?://"), lambda route: route.abort())
            for path in built_pages(site):
                page.goto(path.as_uri())
                wide = page.evaluate(MEASURE)
                if wide:
                    too_wide[str(path.relative_to(site))] = wide
                if path.name in KOREAN_PAGES:
                    assert page.evaluate("document.documentElement.lang") == "ko"
                    assert page.evaluate(
                        "getComputedStyle(document.querySelector('.md-typeset')).wordBreak"
                    ) == "keep-all"
        finally:
            browser.close()
    assert not too_wide, too_wide
