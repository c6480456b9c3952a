"""Shared test fixtures: paths, the evaluation data directory, a CLI runner."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def find_data_dir() -> Path | None:
    """The evaluation data: $FICLENS_DATA, else ../shared/data beside the repo; None if absent."""
    candidates = []
    if os.environ.get("FICLENS_DATA"):
        candidates.append(Path(os.environ["FICLENS_DATA"]))
    candidates += [REPO.parent / "shared" / "data", Path.cwd().parent / "shared" / "data"]
    for candidate in candidates:
        if (candidate / "pdnc").is_dir() or (candidate / "litbank").is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The evaluation data directory, or skip with the reason."""
    found = find_data_dir()
    if found is None:
        pytest.skip("evaluation data not found: set FICLENS_DATA or put shared/data beside the repo")
    return found


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run the real `ficlens` command line in a subprocess."""
    return subprocess.run(
        [sys.executable, "-m", "ficlens", *args],
        check=False, capture_output=True, text=True, cwd=cwd, timeout=timeout,
    )


@pytest.fixture(scope="session")
def cli():
    """A callable that runs the real `ficlens` CLI as a subprocess."""
    return run_cli
