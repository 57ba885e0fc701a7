"""Sphinx configuration of the skstackedae documentation."""

import os

import skstackedae

os.environ.setdefault("MPLBACKEND", "Agg")

project = "skstackedae"
author = "The skstackedae developers"
copyright = "2026, The skstackedae developers"
release = version = skstackedae.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_static_path = ["_static"]
html_theme = "pydata_sphinx_theme"
html_title = f"skstackedae {release}"
html_theme_options = {"navigation_with_keys": False}

autosummary_generate = True
autodoc_default_options = {"members": True}
numpydoc_show_class_members = False  # autosummary lists the members
numpydoc_class_members_toctree = False

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("skstackedae",),
}
