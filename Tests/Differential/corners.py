"""Hand-made corner-case programs for the machine/circuit agreement check.

Each corner is a small program, a raw image (loaded at 0) or an ELF32 file that this module writes itself, that
goes where the machine and the circuit could read RV32IM differently: wrapping pcs and addresses, the top and bottom
of memory, x0 as every operand, every system call with every out-of-range argument, stores and reads into code,
division and shift corners. A corner says what the machine must do (`exit` or `fault`), and may say the journal
it must write, so the corpus also checks itself.
"""
import struct

import rv32
from rv32 import ECALL, INT_MIN, branch, jal, jalr, li, load, op_imm, r_type, shift_imm, store

A0, A1, A2, A7, T0, T1, RA = 10, 11, 12, 17, 5, 6, 1


class Corner:
    def __init__(self, name, program, expect, input=b"", journal=None):
        assert expect in ("exit", "fault")
        assert journal is None or expect == "exit"
        self.name, self.program, self.expect, self.input = name, program, expect, input
        self.journal = journal


def image(words):
    return b"".join(struct.pack("<I", w & 0xFFFFFFFF) for w in words)


def elf(segments, entry):
    """An ELF32 RISC-V executable: segments are (address, bytes, flags, memory size or None); flags 5 = r-x,
    4 = r--, 6 = rw-."""
    header_size, ph_size = 52, 32
    offset = header_size + ph_size * len(segments)
    headers, data = b"", b""
    for address, content, flags, size in segments:
        headers += struct.pack("<8I", 1, offset + len(data), address, address, len(content),
                               size if size is not None else len(content), flags, 4)
        data += content
    ident = b"\x7fELF" + bytes([1, 1, 1, 0]) + bytes(8)
    header = ident + struct.pack("<HHIIIIIHHHHHH", 2, 243, 1, entry, header_size, 0, 0, header_size, ph_size,
                                 len(segments), 40, 0, 0)
    return header + headers + data


def sys_read(buffer, length):
    return [op_imm("addi", A7, 0, 63), op_imm("addi", A0, 0, 0)] + li(A1, buffer) + li(A2, length) + [ECALL]


def sys_write(fd, buffer, length):
    return [op_imm("addi", A7, 0, 64)] + li(A0, fd) + li(A1, buffer) + li(A2, length) + [ECALL]


def exit_a0(number=93):
    """exit(a0): the exit code is whatever a0 holds."""
    return [op_imm("addi", A7, 0, number), ECALL]


def exit_with(code, number=93):
    return li(A0, code) + exit_a0(number)


def commit_register(r, scratch=0x8000):
    """Stores register r at `scratch` and writes its 4 bytes to the journal."""
    return li(T1, scratch) + [store("sw", r, T1, 0)] + sys_write(1, scratch, 4)


def syscalls():
    corners = [
        Corner("read fd 1", image([op_imm("addi", A7, 0, 63), op_imm("addi", A0, 0, 1)] + li(A1, 0x8000)
                                  + li(A2, 4) + [ECALL] + exit_with(0)), "fault"),
        Corner("write fd 0", image(sys_write(0, 0x8000, 4) + exit_with(0)), "fault"),
        Corner("write fd 3", image(sys_write(3, 0x8000, 4) + exit_with(0)), "fault"),
        Corner("unsupported syscall 57", image([op_imm("addi", A7, 0, 57), ECALL] + exit_with(0)), "fault"),
        Corner("syscall 0", image([ECALL] + exit_with(0)), "fault"),
        Corner("exit 94", image(exit_with(0x1234, 94)), "exit"),
        Corner("exit code all ones", image(exit_with(0xFFFFFFFF)), "exit"),
        Corner("read of length 0", image(sys_read(0x8000, 0) + exit_a0()), "exit", b"abc"),
        Corner("short read, then reads return 0",
               image(sys_read(0x8000, 8) + [op_imm("addi", 20, A0, 0)] + sys_read(0x8010, 8)
                     + [r_type("add", A0, A0, 20)] + [op_imm("addi", A7, 0, 64), op_imm("addi", A0, 0, 1)]
                     + li(A1, 0x8000) + li(A2, 3) + [ECALL] + [op_imm("addi", A0, 20, 0)] + exit_a0()),
               "exit", b"xyz"),
        Corner("write of length 0", image(sys_write(1, 0x8000, 0) + exit_a0()), "exit"),
        Corner("log write", image(sys_write(2, 0x8000, 16) + exit_with(3)), "exit"),
        Corner("journal bytes from code", image(sys_write(1, 0, 12) + exit_with(0)), "exit"),
    ]
    # Buffers against the end of memory: a1 + a2 = 2^32 is the last that fits, for every call and whatever count.
    for name, call in (("read", lambda b, n: sys_read(b, n)), ("journal write", lambda b, n: sys_write(1, b, n)),
                       ("log write", lambda b, n: sys_write(2, b, n))):
        corners.append(Corner(f"{name} buffer ending at 2^32", image(call(0xFFFFF000, 0x1000) + exit_with(0)),
                              "exit", b"\x01\x02"))
        corners.append(Corner(f"{name} buffer past 2^32", image(call(0xFFFFF000, 0x1001) + exit_with(0)), "fault",
                              b"\x01\x02"))
        corners.append(Corner(f"{name} buffer far past 2^32", image(call(0xFFFFF000, 0x10000) + exit_with(5)),
                              "fault"))
    corners.append(Corner("read of length 2^32 - 1", image(sys_read(1, 0xFFFFFFFF) + exit_with(0)), "exit"))
    corners.append(Corner("read at 0xffffffff past the end", image(sys_read(0xFFFFFFFF, 2) + exit_with(0)),
                          "fault"))
    return corners


def code_is_read_only():
    body = li(T1, 0x00700513)  # addi a0, x0, 7
    corners = [
        Corner("store word into code", image(body + [store("sw", T1, 0, 24)] + exit_with(1)), "fault"),
        Corner("store byte into code", image([store("sb", 0, 0, 3)] + exit_with(1)), "fault"),
        Corner("store half into code", image([store("sh", 0, 0, 6)] + exit_with(1)), "fault"),
        Corner("read into code", image(sys_read(8, 4) + exit_with(1)), "fault", b"\x13\x05\x30\x00"),
        Corner("read into code with nothing to read", image(sys_read(8, 4) + exit_a0()), "exit"),
        Corner("load from code", image([load("lw", A0, 0, 4), load("lbu", A1, 0, 7), r_type("add", A0, A0, A1)]
                                       + exit_a0()), "exit"),
        Corner("store just past the code", image([store("sw", 0, 0, 64), store("sb", 0, 0, 65)]
                                                 + exit_with(0) + [0] * 10), "exit"),
    ]
    # An ELF whose executable segment has a zero-filled tail: the tail is code too, and read-only.
    text = image(li(T0, 0x10000) + [store("sb", 0, T0, 0x30)] + exit_with(0))
    corners.append(Corner("store into the zero-filled tail of code",
                          elf([(0x10000, text, 5, len(text) + 0x40)], 0x10000), "fault"))
    data_store = image(li(T0, 0x20000) + [store("sw", T0, T0, 0), load("lw", A0, T0, 0)] + exit_a0())
    corners.append(Corner("store into a data segment",
                          elf([(0x10000, data_store, 5, None), (0x20000, b"\x01\x02\x03\x04", 6, 16)], 0x10000),
                          "exit"))
    return corners


def top_of_memory():
    # Code ending at 0xfffffffc exactly: JAL in the last allowed word links 0xfffffffc.
    top = image([jal(0, 0x18), op_imm("addi", A0, RA, 0), op_imm("addi", A7, 0, 93), ECALL, 0x13, 0x13,
                 jal(RA, -0x14)])
    corners = [Corner("JAL in the last allowed word", elf([(0xFFFFFFE0, top, 5, None)], 0xFFFFFFE0), "exit")]
    # Code reaching the last word is refused by the loader.
    too_high = image([0x13] * 7 + [jal(RA, -24)])
    corners.append(Corner("code in the last word", elf([(0xFFFFFFE0, too_high, 5, None)], 0xFFFFFFE0), "fault"))
    # Jumps that wrap past 2^32 in both directions: from low code to the top and back.
    low = image([jal(0, -0x11000)] + [0x13] * 3 + exit_with(9))  # 0x10000 → 0xfffff000
    high = image([jal(RA, 0x11010)])  # 0xfffff000 → 0x10010, ra = 0xfffff004
    corners.append(Corner("jumps wrapping past 2^32",
                          elf([(0x10000, low, 5, None), (0xFFFFF000, high, 5, None)], 0x10000), "exit"))
    back = image([branch("beq", 0, 0, -0x20), 0x13] + exit_with(4))  # 0x10: taken, to 0xfffffff0
    up = image([jalr(0, 0, 0x18), 0x13])  # 0xfffffff0: on to 0x18
    corners.append(Corner("branch wrapping below 0",
                          elf([(0x10, back, 5, None), (0xFFFFFFF0, up, 5, None)], 0x10), "exit"))
    # Loads and stores at the very top and bottom of memory; JALR clearing bit 0; x0 as every operand.
    edges = li(T0, 0xFFFFFFFC) + li(T1, 0xA5A5A5A5) + [
        store("sw", T1, T0, 0), load("lw", A0, T0, 0), load("lbu", A1, T0, 3), load("lh", A2, T0, 2),
        store("sw", T1, 0, 0), load("lb", 20, 0, 3),
        r_type("add", 0, T1, T1), r_type("add", 21, 0, 0), r_type("sub", 22, 0, T1), r_type("div", 23, T1, 0),
        r_type("rem", 24, T1, 0), r_type("mulh", 25, 0, T1), r_type("sltu", 26, 0, T1), op_imm("addi", 0, 0, 5),
    ]
    journal = []
    for r in (A0, A1, A2, 20, 21, 22, 23, 24, 25, 26, 0):
        journal += commit_register(r, scratch=0x200)
    text = image(edges + journal + li(T0, 0x10000 + 4 * (len(edges) + len(journal) + 4) + 1) + [jalr(RA, T0, 0)]
                 + [0x13] + exit_a0())
    corners.append(Corner("memory edges, x0 and JALR bit 0", elf([(0x10000, text, 5, None)], 0x10000), "exit"))
    return corners


def division():
    words = []
    pairs = [(0x80000000, 0xFFFFFFFF), (7, 0), (0, 0), (0xFFFFFFF9, 2), (7, 0xFFFFFFFE), (0x80000000, 1),
             (0xFFFFFFFF, 0xFFFFFFFF), (5, 0x80000000)]
    for a, b in pairs:
        words += li(T0, a) + li(T1, b)
        for op in ("div", "divu", "rem", "remu", "mulh", "mulhsu", "mulhu", "mul"):
            words += [r_type(op, A0, T0, T1)] + commit_register(A0, scratch=0x4000)
    return [Corner("division and multiplication corners", image(words + exit_with(0)), "exit")]


def shifts():
    """SLL, SRL and SRA with register and immediate amounts on the sign and edge values; register amounts above 31
    keep only their low 5 bits. The results go to the journal, which is checked against Python's own shifts."""
    def sra(a, s):
        return ((a - (1 << 32) if a & INT_MIN else a) >> s) & 0xFFFFFFFF

    reference = {"sll": lambda a, s: (a << s) & 0xFFFFFFFF, "srl": lambda a, s: a >> s, "sra": sra}
    values = [INT_MIN, 0xFFFFFFFF, 0x7FFFFFFF, 1, 0, 0x8F0F5A3C, 0x35A5C3E1]
    immediates = [0, 1, 7, 8, 15, 16, 31]
    amounts = immediates + [32, 33, 0xFFFFFFE1, 0xFFFFFFFF]
    registers = list(range(10, 10 + len(amounts)))  # x10.. hold the register amounts
    base, scratch, result = 0x8000, 28, 29
    words = li(scratch, base)
    for r, amount in zip(registers, amounts):
        words += li(r, amount)
    expected, offset = b"", 0
    for a in values:
        words += li(T0, a)
        results = [(shift_imm(name + "i", result, T0, s), reference[name](a, s))
                   for name in reference for s in immediates]
        results += [(r_type(name, result, T0, r), reference[name](a, amount & 31))
                    for name in reference for r, amount in zip(registers, amounts)]
        for instruction, value in results:
            words += [instruction, store("sw", result, scratch, offset)]
            expected += struct.pack("<I", value)
            offset += 4
    assert offset <= 2048
    words += sys_write(1, base, offset) + exit_with(0)
    return [Corner("shift corners", image(words), "exit", journal=expected)]


def faults():
    return [
        Corner("EBREAK", image([0x00100073] + exit_with(0)), "fault"),
        Corner("illegal instruction", image([0xFFFFFFFF] + exit_with(0)), "fault"),
        Corner("misaligned jump", image([jal(0, 6)] + exit_with(0)), "fault"),
        Corner("misaligned JALR target", image([jalr(0, 0, 2)] + exit_with(0)), "fault"),
        Corner("misaligned load", image([load("lw", A0, 0, 0x102)] + exit_with(0)), "fault"),
        Corner("misaligned store", image([store("sh", 0, 0, 0x101)] + exit_with(0)), "fault"),
        Corner("jump out of the code", image([jal(0, 0x100)] + exit_with(0)), "fault"),
        Corner("runs off the end", image([0x13]), "fault"),
        Corner("no exit before the cycle limit", image([jal(0, 0)]), "fault"),
    ]


def all_corners():
    return syscalls() + code_is_read_only() + top_of_memory() + division() + shifts() + faults()


def random_programs(rng, count, cases=6):
    """Raw images of the Unicorn differential tests' random cases, a few cases to a program."""
    programs = []
    for p in range(count):
        batch = [rv32.random_case(rng, p * cases + n) for n in range(cases)]
        programs.append(Corner(f"random program {p}", rv32.assemble(batch), "exit"))
    return programs


def edge_programs(rng, cases=40):
    """The differential tests' edge cases (every instruction on edge values), a few dozen cases to a program."""
    every = rv32.edge_cases(rng)
    return [Corner(f"edge cases {start}-{start + len(every[start:start + cases]) - 1}",
                   rv32.assemble(every[start:start + cases]), "exit") for start in range(0, len(every), cases)]


if __name__ == "__main__":
    for corner in all_corners():
        print(f"{corner.expect:5} {corner.name}")
