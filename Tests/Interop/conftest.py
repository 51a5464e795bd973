"""Fixtures for the C interface tests. The library comes from the release build: ZKVM_BUILD_DIR (default
.build/release, relative to the repository) must hold libzkvmc.so, which `swift build -c release` makes."""
from pathlib import Path

import pytest

from interop_support import build_dir, header_constants


@pytest.fixture(scope="session")
def library_dir() -> Path:
    directory = build_dir()
    if not (directory / "libzkvmc.so").is_file():
        pytest.fail(f"no libzkvmc.so in {directory}: run `swift build -c release` first or set ZKVM_BUILD_DIR")
    return directory


@pytest.fixture(scope="session")
def codes() -> dict:
    """The return codes and flags of zkvmc.h, by name."""
    return header_constants()
