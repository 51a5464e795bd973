"""Differential test of the VM against Unicorn (QEMU's RISC-V translator as a library) on random programs and on
every instruction's edge cases. Seeds are fixed, so a failure reproduces; the failing case is named."""
import json
import random
import subprocess
import tempfile
from pathlib import Path

from unicorn import UC_ARCH_RISCV, UC_HOOK_INTR, UC_MODE_RISCV32, Uc
from unicorn.riscv_const import (UC_RISCV_REG_A0, UC_RISCV_REG_A1, UC_RISCV_REG_A2, UC_RISCV_REG_A7,
                                 UC_RISCV_REG_PC)

import rv32

RANDOM_CASES = 10000
BATCH = 250
USER_ECALL = 8


def run_unicorn(image):
    uc = Uc(UC_ARCH_RISCV, UC_MODE_RISCV32)
    size = (len(image) + 0xFFF) & ~0xFFF
    uc.mem_map(0, size)
    uc.mem_write(0, image)
    uc.mem_map(0xFFFFF000, 0x1000)
    journal = bytearray()
    exit_code = []

    def on_interrupt(uc, number, _):
        assert number == USER_ECALL, f"unexpected exception {number} at pc {uc.reg_read(UC_RISCV_REG_PC):#x}"
        call = uc.reg_read(UC_RISCV_REG_A7)
        if call == 64:
            address, length = uc.reg_read(UC_RISCV_REG_A1), uc.reg_read(UC_RISCV_REG_A2)
            journal.extend(uc.mem_read(address, length))
            uc.reg_write(UC_RISCV_REG_A0, length)
        elif call == 93:
            exit_code.append(uc.reg_read(UC_RISCV_REG_A0))
            uc.emu_stop()
        else:
            raise AssertionError(f"unexpected syscall {call}")

    uc.hook_add(UC_HOOK_INTR, on_interrupt)
    uc.emu_start(0, size)
    assert exit_code, "the program did not reach exit under Unicorn"
    return bytes(journal), exit_code[0]


def run_zkvm(zkvm, image):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cases.bin"
        path.write_bytes(image)
        done = subprocess.run([zkvm, "run", str(path), "--json"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"zkvm run failed: {done.stderr.strip()}"
    result = json.loads(done.stdout)
    return bytes.fromhex(result["journal"]), result["exit_code"], result["cycles"]


def explain(cases, expected, actual):
    """Names the first case whose dump differs and the registers or bytes that differ."""
    at = 0
    for case in cases:
        size = case.journal_size()
        want, got = expected[at:at + size], actual[at:at + size]
        if want != got:
            lines = [f"case {case.label!r} differs"]
            for r in range(1, 32):
                w, g = want[4 * (r - 1):4 * r], got[4 * (r - 1):4 * r]
                if w != g:
                    lines.append(f"  x{r}: unicorn {w[::-1].hex()} zkvm {g[::-1].hex()}")
            if want[124:] != got[124:]:
                lines.append(f"  data window: unicorn {want[124:].hex()} zkvm {got[124:].hex()}")
            return "\n".join(lines)
        at += size
    return f"journals differ in length: unicorn {len(expected)} zkvm {len(actual)}"


def compare(zkvm, cases):
    instructions = 0
    for start in range(0, len(cases), BATCH):
        batch = cases[start:start + BATCH]
        image = rv32.assemble(batch)
        expected, expected_code = run_unicorn(image)
        actual, code, cycles = run_zkvm(zkvm, image)
        assert actual == expected, explain(batch, expected, actual)
        assert code == expected_code == 0
        instructions += cycles
    return instructions


def test_random_programs(zkvm):
    rng = random.Random(20251126)
    cases = [rv32.random_case(rng, n) for n in range(RANDOM_CASES)]
    body = sum(case.body_instructions() for case in cases)
    executed = compare(zkvm, cases)
    print(f"\nunicorn: {len(cases)} random programs ({body} random instructions, {executed} executed in all) "
          f"agree on registers and memory")


def test_edge_cases(zkvm):
    cases = rv32.edge_cases(random.Random(7))
    executed = compare(zkvm, cases)
    print(f"\nunicorn: {len(cases)} edge-case programs ({executed} instructions executed) agree")
