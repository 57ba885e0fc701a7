"""doc/check_site.py, the reader's check of the built documentation."""

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "doc" / "check_site.py"
_spec = importlib.util.spec_from_file_location("check_site", _PATH)
check_site = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(check_site)


def _write(root, name, body):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><body>{body}</body></html>", encoding="utf-8")


@pytest.fixture
def site(tmp_path):
    """A small site whose links and gallery images are all present."""
    _write(tmp_path, "index.html",
           '<a href="guide.html#fitting">guide</a> <a href="https://example.org/x">out</a>'
           ' <a href="#top" id="top">top</a> <a href="auto_examples/plot_a.html">example</a>')
    _write(tmp_path, "guide.html", '<section id="fitting">text</section>')
    _write(tmp_path, "auto_examples/plot_a.html",
           '<img src="../_images/sphx_glr_plot_a_001.png"> <a href="../index.html">up</a>')
    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "sphx_glr_plot_a_001.png").write_bytes(b"png")
    return tmp_path


def test_a_sound_site_has_no_problem(site, capsys):
    assert check_site.check_site(site) == []
    assert check_site.main([str(site)]) == 0
    assert "3 pages" in capsys.readouterr().out


def test_a_missing_page_is_reported(site):
    _write(site, "extra.html", '<a href="missing.html">gone</a>')
    assert check_site.check_site(site) == [
        f"extra.html: broken link 'missing.html' (no file {site.resolve() / 'missing.html'})"
    ]


def test_a_missing_anchor_is_reported(site):
    _write(site, "extra.html", '<a href="guide.html#nowhere">gone</a>')
    assert check_site.check_site(site) == ["extra.html: broken anchor 'guide.html#nowhere'"]


def test_a_gallery_page_without_its_figure_is_reported(site, capsys):
    _write(site, "auto_examples/plot_b.html", "<p>printed output only</p>")
    (site / "_images" / "sphx_glr_plot_a_001.png").unlink()
    problems = check_site.check_site(site)
    assert len(problems) == 2
    assert problems[0].startswith("auto_examples/plot_a.html: broken link '../_images/")
    assert problems[1] == "auto_examples/plot_b.html: gallery page without an image"
    assert check_site.main([str(site)]) == 1
    assert "2 problem(s)" in capsys.readouterr().out


def test_an_unbuilt_site_is_a_problem(tmp_path):
    assert check_site.check_site(tmp_path) == [f"{tmp_path}: no HTML pages (was the site built?)"]
