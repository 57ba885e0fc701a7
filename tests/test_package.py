"""The repository around the package: the README's module map and the version
against the changelog."""

import re
from pathlib import Path

import skstackedae
import skstackedae._sparse_autoencoder
import skstackedae._stacked_base


def test_readme_layout_lists_every_module():
    root = Path(__file__).resolve().parents[1]
    layout = (root / "README.md").read_text().split("## Layout", 1)[1]
    modules = sorted(p.name for p in (root / "skstackedae").glob("*.py") if p.name != "__init__.py")
    missing = [m for m in modules if not re.search(rf"skstackedae/{re.escape(m)}\b", layout)]
    assert not missing, missing


def test_version_matches_the_changelog():
    # Pickles carry the version (InconsistentVersionWarning): an unreleased
    # changelog entry must not share its number with a released one.
    root = Path(__file__).resolve().parents[1]
    changelog = (root / "doc" / "changelog.rst").read_text()
    top = re.search(r"^(\d+\.\d+\.\d+) \((.+?)\)$", changelog, re.MULTILINE)
    expected = top[1] + (".dev0" if top[2] == "unreleased" else "")
    assert skstackedae.__version__ == expected


def test_every_table_row_of_the_docs_is_in_a_list_table():
    # A row ("   * - ...") whose ``.. list-table::`` line is lost still
    # builds (as a quoted bullet list), so the docs build does not catch it.
    root = Path(__file__).resolve().parents[1]
    stray = []
    for path in sorted((root / "doc").glob("*.rst")):
        in_table = False
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if line.startswith(".. list-table::"):
                in_table = True
            elif line and not line[0].isspace():
                in_table = False
            if re.match(r"\s+\* - ", line) and not in_table:
                stray.append(f"{path.name}:{number}")
    assert not stray, stray
