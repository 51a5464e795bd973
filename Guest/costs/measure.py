#!/usr/bin/env python3
"""Measures the cycle cost of common operations in a Swift guest (Guest/costs/main.swift) with `zkvm run --json`
and prints a Markdown table, the one in Guest/README.md.

    python3 Guest/costs/measure.py [path/to/zkvm]      # default: .build/release/zkvm

Each operation runs n = 0 and n = N times in the same program; the difference in cycles over N is the cost of one.
"""
import json
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OPERATIONS = [  # number in main.swift, description, N
    (0, "`UInt32` multiply, add and xor (`&*`, `&+`, `^`)", 1000),
    (1, "`[UInt8].append`, amortised over the array's growth", 1000),
    (2, "`[UInt32]` subscript read (bounds-checked)", 1000),
    (3, "`Dictionary<UInt32, UInt32>` insert, amortised over the table's growth", 1000),
    (4, "`Dictionary<UInt32, UInt32>` lookup (256 entries)", 1000),
    (5, "`Set<UInt32>` insert", 1000),
    (6, "SHA-256 of 64 bytes (`Vectors/programs/swift-merkle/SHA256.swift`)", 20),
    (7, "String interpolation `\"item \\(i)\"`", 200),
    (8, "allocate and free a class instance", 1000),
    (9, "`ZKVM.commit` of 32 bytes", 200),
    (10, "`[UInt32].sort()`, per element (1,000 elements)", 1000),
    (11, "`UInt64` division (software, shift and subtract)", 1000),
    (12, "`Double` multiply and add, with an `Int` conversion (software)", 1000),
    (13, "`ZKVM.readInput()`, per byte of input (10,000 bytes)", 10000),
]


def cycles(zkvm, elf, work, operation, n, extra=b""):
    path = work / "input.bin"
    path.write_bytes(struct.pack("<BI", operation, n) + extra)
    done = subprocess.run([zkvm, "run", str(elf), "--input", str(path), "--json"], capture_output=True, text=True,
                          check=True)
    result = json.loads(done.stdout)
    assert result["exit_code"] == 0, result
    return result["cycles"]


def main():
    zkvm = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / ".build/release/zkvm")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        elf = work / "costs.elf"
        subprocess.run(["bash", str(ROOT / "Guest/build.sh"), "-o", str(elf), str(ROOT / "Guest/costs/main.swift"),
                        str(ROOT / "Vectors/programs/swift-merkle/SHA256.swift")], check=True)
        print("| operation | cycles each |")
        print("| --- | ---: |")
        for operation, description, n in OPERATIONS:
            if operation == 13:
                base = cycles(zkvm, elf, work, operation, 0)
                more = cycles(zkvm, elf, work, operation, 0, bytes(n))
            else:
                base = cycles(zkvm, elf, work, operation, 0)
                more = cycles(zkvm, elf, work, operation, n)
            each = (more - base) / n
            print(f"| {description} | {each:,.0f} |" if each >= 10 else f"| {description} | {each:.1f} |")


if __name__ == "__main__":
    main()
