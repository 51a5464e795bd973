"""Swift guests (Embedded Swift through Guest/build.sh) under zkvm and qemu-riscv32: the ZKVM verbs, exit codes,
the heap running out, runtime traps, and the Merkle-membership example on trees that Python builds with hashlib.
Each guest is built from source here, so the build script itself is under test; C builds must stay byte for byte
what they were."""
import hashlib
import json
import math
import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUESTS = Path(__file__).resolve().parent / "swift"
PROGRAMS = ROOT / "Vectors/programs"


def build(output, *arguments):
    done = subprocess.run(["bash", str(ROOT / "Guest/build.sh"), "-o", str(output), *map(str, arguments)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return output


@pytest.fixture(scope="module")
def elves(tmp_path_factory):
    """The test guests, each built once."""
    if shutil.which("qemu-riscv32") is None:
        pytest.fail("qemu-riscv32 is missing: run Scripts/setup (Debian package qemu-user)")
    out = tmp_path_factory.mktemp("swift-guests")
    verbs = GUESTS / "verbs"
    return {
        "verbs": build(out / "verbs.elf", verbs / "main.swift", verbs / "helper.c", verbs / "helper.h"),
        "returns": build(out / "returns.elf", GUESTS / "returns/main.swift"),
        "oom": build(out / "oom.elf", GUESTS / "oom/main.swift", "-DZKVM_HEAP_BYTES=65536"),
        "oom-default-heap": build(out / "oom-default.elf", GUESTS / "oom/main.swift"),
        "trap": build(out / "trap.elf", GUESTS / "trap/main.swift"),
        "collections": build(out / "collections.elf", GUESTS / "collections/main.swift"),
        "hello": build(out / "hello.elf", ROOT / "Guest/examples/hello.swift"),
        "doubles": build(out / "doubles.elf", GUESTS / "doubles/main.swift"),
        # In build.py's order: the order of the sources decides the layout of the code.
        "merkle": build(out / "merkle.elf", *(PROGRAMS / "swift-merkle" / f for f in ("main.swift", "SHA256.swift"))),
    }


def run_zkvm(zkvm, elf, data, tmp_path, *options):
    (tmp_path / "input.bin").write_bytes(data)
    return subprocess.run([zkvm, "run", str(elf), "--input", str(tmp_path / "input.bin"), "--json", *options],
                          capture_output=True, text=True, timeout=120)


def run_both(zkvm, elf, data, tmp_path):
    """Runs under zkvm and qemu; returns zkvm's JSON result after checking that qemu agrees with it."""
    done = run_zkvm(zkvm, elf, data, tmp_path)
    assert done.returncode == 0, done.stderr
    ours = json.loads(done.stdout)
    qemu = subprocess.run(["qemu-riscv32", str(elf)], input=data, capture_output=True, timeout=120)
    assert ours["journal"] == qemu.stdout.hex()
    assert ours["exit_code"] % 256 == qemu.returncode
    assert ours["log"] == qemu.stderr.hex()
    ours["journal"], ours["log"] = bytes.fromhex(ours["journal"]), bytes.fromhex(ours["log"])
    return ours


# MARK: - The verbs


def test_the_readme_example_is_hello_swift_and_greets(zkvm, elves, tmp_path):
    readme = (ROOT / "Guest/README.md").read_text()
    block = readme.split("```swift\n", 1)[1].split("```", 1)[0]
    assert block == (ROOT / "Guest/examples/hello.swift").read_text()
    result = run_both(zkvm, elves["hello"], b"world", tmp_path)
    assert (result["journal"], result["exit_code"]) == (b"hello, world!\n", 0)
    assert result["log"] == b"hello: greeting 5 bytes\n"


@pytest.mark.parametrize("n, rest", [(5, b"abcdefg"), (0, b""), (300, bytes(range(256)) * 12 + b"tail")])
def test_verbs_read_commit_log_and_exit(zkvm, elves, tmp_path, n, rest):
    result = run_both(zkvm, elves["verbs"], struct.pack("<I", n) + rest, tmp_path)
    checksum = sum(b * (i + 1) for i, b in enumerate(rest)) % 2**32
    assert result["journal"] == rest[::-1] + f"sum={checksum}".encode() + rest[: len(rest) // 2]
    assert result["log"] == f"verbs: {len(rest)} bytes after the header\nprinted to the log\n".encode()
    assert result["exit_code"] == n


def test_verbs_with_a_short_header_exit_100(zkvm, elves, tmp_path):
    result = run_both(zkvm, elves["verbs"], b"\x01\x02", tmp_path)
    assert (result["journal"], result["exit_code"]) == (b"", 100)


@pytest.mark.parametrize("length", [0, 1, 255, 256, 257, 4000])
def test_main_returns_the_exit_code(zkvm, elves, tmp_path, length):
    data = random.Random(length).randbytes(length)
    result = run_both(zkvm, elves["returns"], data, tmp_path)
    assert result["journal"] == data
    assert result["exit_code"] == length


def collections_journal(data):
    counts = {b: data.count(b) for b in set(data)}
    journal = b"".join(bytes([b]) + struct.pack("<I", counts[b]) for b in sorted(counts))
    journal += struct.pack("<I", len(counts))
    journal += ",".join(sorted({w for w in data.decode().split(" ") if w})).encode()
    mean = sum(data) / len(data) if data else 0.0
    return journal + struct.pack("<II", int(mean * 1000), math.ceil(len(data) / 7))


@pytest.mark.parametrize("text", [b"", b"the quick brown fox jumps over the lazy dog the end", b"  a  b a ",
                                  b"caf\xc3\xa9 na\xc3\xafve caf\xc3\xa9", bytes(range(33, 127)) * 3])
def test_dictionary_set_string_and_double(zkvm, elves, tmp_path, text):
    result = run_both(zkvm, elves["collections"], text, tmp_path)
    assert (result["journal"], result["exit_code"]) == (collections_journal(text), 0)


def ieee_divide(a, b):
    """a / b as IEEE 754 has it (Python raises on a zero divisor)."""
    if b != 0 or math.isnan(b):
        return a / b if not (math.isinf(a) and math.isinf(b)) else math.nan
    if a == 0 or math.isnan(a):
        return math.nan
    return math.copysign(math.inf, a) * math.copysign(1.0, b)


def test_double_arithmetic_on_the_guest_matches_python(zkvm, elves, tmp_path):
    # The same soft-float code test_softfloat.py checks on the host, here compiled for RV32IM and run by zkvm and
    # qemu, against Python's own (hardware) doubles.
    rng = random.Random(21)
    edges = [0.0, -0.0, 1.0, -1.5, 0.1, 3.0, 2.0**-1074, 2.0**-1022, 1.7976931348623157e308, math.inf, -math.inf,
             math.nan, 1e-300, 123456789.0]
    pairs = [(a, b) for a in edges for b in edges]
    pairs += [(rng.uniform(-1e6, 1e6), rng.uniform(-1e6, 1e6)) for _ in range(300)]
    pairs += [(struct.unpack("<d", rng.randbytes(8))[0], struct.unpack("<d", rng.randbytes(8))[0]) for _ in range(300)]
    data = b"".join(struct.pack("<dd", a, b) for a, b in pairs)
    journal = run_both(zkvm, elves["doubles"], data, tmp_path)["journal"]
    assert len(journal) == 33 * len(pairs)
    for i, (a, b) in enumerate(pairs):
        record = journal[33 * i:33 * (i + 1)]
        results = struct.unpack("<dddd", record[:32])
        expected = (a + b, a - b, a * b, ieee_divide(a, b))
        for ours, theirs in zip(results, expected):
            assert (math.isnan(ours) and math.isnan(theirs)) or struct.pack("<d", ours) == struct.pack("<d", theirs), \
                (a, b, ours, theirs)
        flags = (a < b) | (a <= b) << 1 | (a == b) << 2 | (a > b) << 3 | (a >= b) << 4
        assert record[32] == flags, (a, b)


def test_string_operations_that_need_unicode_tables_stop_with_a_message(zkvm, elves, tmp_path):
    # "e" and a combining acute accent (U+0301): whether they form one Character needs the grapheme tables.
    done = run_zkvm(zkvm, elves["collections"], b"cafe\xcc\x81 x", tmp_path)
    assert done.returncode == 1
    assert "illegal instruction" in done.stderr
    assert "_swift_stdlib_getGraphemeBreakProperty: this String operation needs Unicode data tables" in done.stderr


def test_a_large_input_fits_the_default_heap(zkvm, elves, tmp_path):
    # readInput doubles its array up to 16 MiB for 12 MB, holding the 8 MiB one meanwhile: large blocks are whole
    # pages, not the next power of two, or this would need more than the 64 MiB heap.
    data = random.Random(99).randbytes(12_000_000)
    result = run_both(zkvm, elves["returns"], data, tmp_path)
    assert result["journal"] == data
    assert result["exit_code"] == len(data)


# MARK: - Failures


def test_exhausted_heap_logs_and_exits_12(zkvm, elves, tmp_path):
    result = run_both(zkvm, elves["oom"], b"", tmp_path)
    assert result["exit_code"] == 12
    assert b"zkvm guest: out of memory: the heap of 65536 bytes cannot hold" in result["log"]
    # Each 4 KiB array took a block of 8 KiB (power-of-two classes, with its header): about 7 fit, the list too.
    assert 4 <= len(result["journal"]) <= 8
    assert result["journal"] == bytes(range(1, len(result["journal"]) + 1))


def test_the_hosts_page_limit_still_applies(zkvm, elves, tmp_path):
    done = run_zkvm(zkvm, elves["oom-default-heap"], b"", tmp_path, "--max-pages", "64")
    assert done.returncode == 1
    assert "memory limit of 64 pages" in done.stderr


def test_runtime_trap_names_the_pc_and_faults(zkvm, elves, tmp_path):
    fine = run_both(zkvm, elves["trap"], b"\x01\x07", tmp_path)
    assert (fine["journal"], fine["exit_code"]) == (b"\x01\x07\x07", 0)
    done = run_zkvm(zkvm, elves["trap"], b"\x09\x07", tmp_path)
    assert done.returncode == 1
    assert "illegal instruction" in done.stderr
    assert "zkvm guest: Swift runtime error (overflow, index out of range" in done.stderr
    qemu = subprocess.run(["qemu-riscv32", str(elves["trap"])], input=b"\x09\x07", capture_output=True, timeout=60)
    assert qemu.returncode in (-4, 132)  # SIGILL
    assert b"Swift runtime error" in qemu.stderr


# MARK: - Merkle membership


def merkle_input(seed, depth, index):
    """A random tree of 2^depth notes: the guest's input for note `index`, and the journal it must produce."""
    rng = random.Random(seed)
    secrets = [rng.randbytes(32) for _ in range(2**depth)]
    level = [hashlib.sha256(b"\x00" + s).digest() for s in secrets]
    siblings, position = [], index
    for _ in range(depth):
        siblings.append(level[position ^ 1])
        level = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level), 2)]
        position //= 2
    data = secrets[index] + struct.pack("<II", index, depth) + b"".join(siblings)
    return data, level[0] + hashlib.sha256(b"\x02" + secrets[index]).digest()


@pytest.mark.parametrize("seed, depth, index", [(10, 0, 0), (11, 1, 1), (12, 4, 9), (13, 6, 0), (14, 6, 63)])
def test_merkle_membership_matches_hashlib(zkvm, elves, tmp_path, seed, depth, index):
    data, journal = merkle_input(seed, depth, index)
    result = run_both(zkvm, elves["merkle"], data, tmp_path)
    assert (result["journal"], result["exit_code"]) == (journal, 0)


def test_merkle_membership_refuses_malformed_input(zkvm, elves, tmp_path):
    data, _ = merkle_input(15, 2, 3)
    too_deep = data[:36] + struct.pack("<I", 33) + bytes(32 * 33)
    for bad in (data[:39], data[:-1], data + b"\x00", too_deep):
        result = run_both(zkvm, elves["merkle"], bad, tmp_path)
        assert (result["journal"], result["exit_code"]) == (b"", 1)


# MARK: - Builds


def test_swift_builds_are_reproducible_and_the_example_is_current(elves, tmp_path):
    # The committed example is what the build script makes today (else run Vectors/programs/build.py), and a
    # second build from another folder is the same file: the program id depends on the sources alone.
    committed = (PROGRAMS / "swift-merkle/program.elf").read_bytes()
    assert elves["merkle"].read_bytes() == committed, "swift-merkle/program.elf is stale: run build.py"
    copy = tmp_path / "elsewhere"
    copy.mkdir()
    for source in (PROGRAMS / "swift-merkle").glob("*.swift"):
        shutil.copy(source, copy / source.name)
    again = build(tmp_path / "again.elf", copy / "main.swift", copy / "SHA256.swift")
    assert again.read_bytes() == committed


def test_debug_information_reaches_swift_sources(zkvm, tmp_path):
    for flag in ("-g", "-gdwarf-4"):
        elf = build(tmp_path / f"hello{flag}.elf", ROOT / "Guest/examples/hello.swift", flag)
        assert b".debug_line" in elf.read_bytes()
        assert b"hello.swift" in elf.read_bytes()
        result = run_both(zkvm, elf, b"you", tmp_path)
        assert result["journal"] == b"hello, you!\n"


def test_the_heap_takes_no_room_in_the_file(elves):
    # The 64 MiB heap is .bss: a section with contents placed after it (a GOT, once) would put its zeros in the
    # file, and in the program image the verifier loads.
    for name, elf in elves.items():
        assert elf.stat().st_size < 1 << 20, name


def test_c_builds_are_unchanged(tmp_path):
    common = PROGRAMS / "common"
    cases = {
        "hello": [ROOT / "Guest/examples/hello.c"],
        "merkle": [PROGRAMS / "merkle/main.c", common / "sha256.c"],
        "sort": [PROGRAMS / "sort/main.c"],
    }
    for name, sources in cases.items():
        elf = build(tmp_path / f"{name}.elf", *sources, f"-I{common}")
        assert elf.read_bytes() == (PROGRAMS / name / "program.elf").read_bytes(), name


def test_build_script_refuses_a_missing_output_source_or_flag(tmp_path):
    source = str(GUESTS / "returns/main.swift")
    cases = {("-o", str(tmp_path / "x.elf")): "usage:", (source,): "usage:",
             ("-o", str(tmp_path / "x.elf"), source, "-Xswiftc"): "-Xswiftc needs a flag"}
    for arguments, message in cases.items():
        done = subprocess.run(["bash", str(ROOT / "Guest/build.sh"), *arguments], capture_output=True, text=True)
        assert done.returncode == 2
        assert message in done.stderr
