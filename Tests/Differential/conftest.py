"""Shared fixtures: where the zkvm binary is. Set ZKVM_BIN to test another build."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def zkvm():
    candidates = [os.environ.get("ZKVM_BIN"), ROOT / ".build/release/zkvm", ROOT / ".build-vm/release/zkvm"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return str(candidate)
    pytest.fail("no zkvm binary: run `swift build -c release` first or set ZKVM_BIN")
