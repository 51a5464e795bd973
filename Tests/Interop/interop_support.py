"""Paths and helpers shared by the C interface tests: the header, the example guests, the compiler, and where the
release build put libzkvmc.so (ZKVM_BUILD_DIR, default .build/release, relative to the repository)."""
import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADER = ROOT / "include" / "zkvmc.h"
PROGRAMS = ROOT / "Vectors" / "programs"
CLANG = os.environ.get("ZKVM_CLANG", "/opt/swift/usr/bin/clang")


def build_dir() -> Path:
    path = Path(os.environ.get("ZKVM_BUILD_DIR", ".build/release"))
    return path if path.is_absolute() else ROOT / path


def header_constants() -> dict:
    """The return codes and flags as zkvmc.h defines them: the header, not the tests, is the reference."""
    values = {}
    for name, value, shift in re.findall(r"^\s*(ZKVM_\w+) = (\d+)(?:u << (\d+))?", HEADER.read_text(), re.MULTILINE):
        values[name] = int(value) << int(shift or 0)
    return values


def example(name: str, file: str = "program.elf") -> bytes:
    return (PROGRAMS / name / file).read_bytes()
