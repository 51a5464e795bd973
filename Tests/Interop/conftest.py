"""Shared fixtures for the C interface tests: where libzkvmc.so, its header and the example guests are.

The library comes from the release build: ZKVM_BUILD_DIR (default .build/release, relative to the repository)
must hold libzkvmc.so, which `swift build -c release` makes.
"""
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HEADER = ROOT / "include" / "zkvmc.h"
PROGRAMS = ROOT / "Vectors" / "programs"
CLANG = os.environ.get("ZKVM_CLANG", "/opt/swift/usr/bin/clang")


def build_dir() -> Path:
    path = Path(os.environ.get("ZKVM_BUILD_DIR", ".build/release"))
    return path if path.is_absolute() else ROOT / path


@pytest.fixture(scope="session")
def library_dir() -> Path:
    directory = build_dir()
    if not (directory / "libzkvmc.so").is_file():
        pytest.fail(f"no libzkvmc.so in {directory}: run `swift build -c release` first or set ZKVM_BUILD_DIR")
    return directory


@pytest.fixture(scope="session")
def codes() -> dict:
    """The return codes and flags as zkvmc.h defines them: the header, not the tests, is the reference."""
    values = {}
    for name, value, shift in re.findall(r"^\s*(ZKVM_\w+) = (\d+)(?:u << (\d+))?", HEADER.read_text(), re.MULTILINE):
        values[name] = int(value) << int(shift or 0)
    return values


def example(name: str, file: str = "program.elf") -> bytes:
    return (PROGRAMS / name / file).read_bytes()
