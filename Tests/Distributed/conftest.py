"""Fixtures for the distributed-proving tests: the zkvm binary (ZKVM_BIN, or the release build) and the example."""
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def zkvm() -> str:
    candidates = [os.environ.get("ZKVM_BIN"), ROOT / ".build/release/zkvm"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return str(Path(candidate).resolve())
    pytest.fail("no zkvm binary: run `swift build -c release` first or set ZKVM_BIN")
