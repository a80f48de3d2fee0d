"""Shared fixtures: the catalogue, a freshly built template, and filled workbooks."""

import os

# xlwings' remote engine (PolyForm Noncommercial, which covers government use) needs
# this before xlwings is first imported.
os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")

import shutil
from pathlib import Path

import pytest

from iku_xl.catalogue import load_catalogue
from iku_xl.template import build_template

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def catalogue():
    return load_catalogue()


@pytest.fixture(scope="session")
def built_template(tmp_path_factory, catalogue) -> Path:
    """A template built fresh from the packaged catalogue, shared read-only."""
    return build_template(catalogue, tmp_path_factory.mktemp("build") / "template.xlsm")


@pytest.fixture
def template_copy(tmp_path, built_template) -> Path:
    """A private copy of the fresh template, free to be changed by a test."""
    target = tmp_path / "iku.xlsm"
    shutil.copy(built_template, target)
    return target
