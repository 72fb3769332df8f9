"""Optional test tools (Graphviz, pydot, Node.js with Mermaid, Chromium...): skip locally, fail in CI.

On a developer machine a test whose tool is missing is skipped with the reason. When the `CI`
environment variable is set (CI runners set `CI=true`), the same test fails instead, so a
missing tool can never turn a CI run green by skipping the checks.
"""

from __future__ import annotations

import importlib
import os
import shutil
from types import ModuleType
from typing import NoReturn

import pytest


def running_in_ci() -> bool:
    """True when `CI` is set to anything but an empty string, `0` or `false`."""
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def unavailable(reason: str) -> NoReturn:
    """Skip the test with `reason`, or fail it with `reason` when running in CI."""
    if running_in_ci():
        pytest.fail(f"{reason} (CI is set: tests must not be skipped, install the tool)", pytrace=False)
    pytest.skip(reason)


def need_module(name: str, hint: str | None = None) -> ModuleType:
    """Import `name`, or skip/fail the test when it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError as error:
        unavailable(f"Python module {name!r} is not installed ({hint or 'pip install -e .[dev]'}): {error}")


def need_executable(name: str, hint: str) -> str:
    """The path of the program `name` on PATH, or skip/fail the test when it is missing."""
    found = shutil.which(name)
    if found is None:
        unavailable(f"`{name}` is not on PATH ({hint})")
    return found
