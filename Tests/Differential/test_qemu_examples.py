"""The example guest programs under qemu-riscv32 (the same static binaries as Linux user programs) and under
zkvm: journal and exit code must agree with each other and with the committed expectations."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

PROGRAMS = Path(__file__).resolve().parents[2] / "Vectors/programs"
NAMES = sorted(p.name for p in PROGRAMS.iterdir() if (p / "program.elf").is_file())


@pytest.mark.parametrize("name", NAMES)
def test_example_matches_qemu(zkvm, name):
    if shutil.which("qemu-riscv32") is None:
        pytest.fail("qemu-riscv32 is missing: run Scripts/setup (Debian package qemu-user)")
    folder = PROGRAMS / name
    with open(folder / "input.bin", "rb") as stdin:
        qemu = subprocess.run(["qemu-riscv32", str(folder / "program.elf")], stdin=stdin, capture_output=True,
                              timeout=120)
    done = subprocess.run([zkvm, "run", str(folder / "program.elf"), "--input", str(folder / "input.bin"),
                           "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    ours = json.loads(done.stdout)
    expected = json.loads((folder / "expected.json").read_text())
    assert ours["journal"] == qemu.stdout.hex() == expected["journal"]
    assert ours["exit_code"] == qemu.returncode == expected["exit_code"]
    print(f"\nqemu: {name} agrees ({len(qemu.stdout)} journal bytes, {ours['cycles']} cycles)")


@pytest.mark.parametrize("guest, inputs", [("merkle", "swift-merkle"), ("swift-merkle", "merkle")])
def test_c_and_swift_merkle_guests_agree(zkvm, guest, inputs):
    """The Merkle-membership statement in two languages: each guest, on the other's input, publishes the other's
    expected journal, under zkvm and under qemu."""
    elf, input_path = PROGRAMS / guest / "program.elf", PROGRAMS / inputs / "input.bin"
    expected = json.loads((PROGRAMS / inputs / "expected.json").read_text())
    done = subprocess.run([zkvm, "run", str(elf), "--input", str(input_path), "--json"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with open(input_path, "rb") as stdin:
        qemu = subprocess.run(["qemu-riscv32", str(elf)], stdin=stdin, capture_output=True, timeout=120)
    assert json.loads(done.stdout)["journal"] == qemu.stdout.hex() == expected["journal"]
    assert json.loads(done.stdout)["exit_code"] == qemu.returncode == expected["exit_code"] == 0
