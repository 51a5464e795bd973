#!/usr/bin/env python3
"""Builds the example guest programs and computes their expected outputs, independently of zkvm.

For each program: compile <name>/main.c, or <name>/main.swift with the other Swift files beside it, with
Guest/build.sh into <name>/program.elf, write <name>/input.bin (deterministic), run the ELF under qemu-riscv32
with the input on stdin, and compute the expected journal in Python. Both must agree; <name>/expected.json
records the journal (hex) and exit code.

    python3 Vectors/programs/build.py            # rebuild everything
    python3 Vectors/programs/build.py --check    # only check the committed files against qemu and Python
"""
import hashlib
import json
import random
import struct
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
COMMON = HERE / "common"


def fibonacci():
    n = 5_000
    a, b = 0, 1
    for _ in range(n):
        a, b = b, (a + b) % 2**64
    return struct.pack("<I", n), f"fib({n}) mod 2^64 = 0x{a:016x}\n".encode(), []


def sha256():
    secret = random.Random(2).randbytes(600)
    return secret, hashlib.sha256(secret).digest(), [COMMON / "sha256.c"]


def merkle(seed=3, depth=3, index=5):
    rng = random.Random(seed)
    secrets = [rng.randbytes(32) for _ in range(2**depth)]
    level = [hashlib.sha256(b"\x00" + s).digest() for s in secrets]
    siblings = []
    position = index
    for _ in range(depth):
        siblings.append(level[position ^ 1])
        level = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)]
        position //= 2
    secret = secrets[index]
    data = secret + struct.pack("<II", index, depth) + b"".join(siblings)
    journal = level[0] + hashlib.sha256(b"\x02" + secret).digest()
    return data, journal, [COMMON / "sha256.c"]


def sort():
    rng = random.Random(4)
    values = [rng.getrandbits(32) for _ in range(300)] + [0, 0xFFFFFFFF, 0x80000000, 7, 7, 7, 0]
    rng.shuffle(values)
    return struct.pack(f"<{len(values)}I", *values), struct.pack(f"<{len(values)}I", *sorted(values)), []


def bigint():
    rng = random.Random(5)
    m = 2**255 - 19
    a, b = rng.randrange(m), 65537  # a small exponent keeps the run short enough to prove in one piece
    data = b"".join(x.to_bytes(32, "little") for x in (m, a, b))
    journal = b"".join(x.to_bytes(32, "little") for x in ((a + b) % m, a * b % m, pow(a, b, m)))
    return data, journal, []


def hello():
    return b"world", b"hello, world!\n", []


def swift_merkle():
    data, journal, _ = merkle(seed=6, depth=3, index=6)
    return data, journal, []


PROGRAMS = {
    "fibonacci": fibonacci,
    "sha256": sha256,
    "merkle": merkle,
    "sort": sort,
    "bigint": bigint,
    "hello": hello,
    "swift-merkle": swift_merkle,
}


def sources(name):
    """The program's own sources: main.c, or main.swift and the other Swift files in its folder."""
    if name == "hello":
        return [ROOT / "Guest/examples/hello.c"]
    folder = HERE / name
    if (folder / "main.swift").is_file():
        return [folder / "main.swift", *sorted(p for p in folder.glob("*.swift") if p.name != "main.swift")]
    return [folder / "main.c"]


def run_qemu(elf, input_path):
    with open(input_path, "rb") as stdin:
        done = subprocess.run(["qemu-riscv32", str(elf)], stdin=stdin, capture_output=True, timeout=120)
    return done.stdout, done.returncode


def main():
    check = "--check" in sys.argv[1:]
    for name, make in PROGRAMS.items():
        folder = HERE / name
        folder.mkdir(exist_ok=True)
        data, journal, extra = make()
        elf, input_path = folder / "program.elf", folder / "input.bin"
        if not check:
            subprocess.run(
                ["bash", str(ROOT / "Guest/build.sh"), "-o", str(elf), *map(str, sources(name)),
                 *map(str, extra), f"-I{COMMON}"], check=True)
            input_path.write_bytes(data)
        assert input_path.read_bytes() == data, f"{name}: input.bin differs from the generator"
        stdout, code = run_qemu(elf, input_path)
        assert stdout == journal, f"{name}: qemu journal {stdout.hex()} differs from Python {journal.hex()}"
        assert code == 0, f"{name}: qemu exit code {code}"
        expected = {"exit_code": code, "journal": stdout.hex()}
        if check:
            recorded = json.loads((folder / "expected.json").read_text())
            assert recorded == expected, f"{name}: expected.json is stale; run {Path(__file__).name}"
        else:
            (folder / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
        print(f"{name}: {len(data)} input bytes, {len(stdout)} journal bytes, exit {code}: qemu agrees with Python")


if __name__ == "__main__":
    main()
