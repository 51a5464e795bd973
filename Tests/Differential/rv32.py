"""RV32IM instruction encoders and a random-program generator for differential tests.

Written from the RISC-V unprivileged specification, independently of the VM's own Swift encoder, so that the
two are checked against each other through an independent emulator.

A test *batch* is one raw image (loaded at address 0) holding many *cases* in a row. Each case sets every register
(and, for random cases, a 256-byte data window) to chosen values, runs its body, then stores x1..x31 to a dump
area and writes the dump (and the data window) to the journal with write(1, ...). After the last case the image
calls exit(0). Running the image in two emulators and comparing journals compares the register and memory state
after every case. The dump and data areas sit in the top 4 KiB of the address space so that x0-relative stores
reach them without a base register.
"""
import random
import struct

DATA = 0xFFFFF800  # 256-byte data window for random loads and stores
DATA_SIZE = 256
DUMP = 0xFFFFFF00  # x1..x31 are stored here, 4 bytes each
INT_MIN, INT_MAX = 0x80000000, 0x7FFFFFFF
EDGES = [0, 1, 2, 0xFFFFFFFF, 0xFFFFFFFE, INT_MIN, INT_MAX, INT_MIN + 1, 31, 32, 33, 0x55555555, 0xAAAAAAAA,
         0x0000FFFF, 0xFFFF8000, 0x00000080]

R_OPS = {  # name: (funct7, funct3)
    "add": (0x00, 0), "sub": (0x20, 0), "sll": (0x00, 1), "slt": (0x00, 2), "sltu": (0x00, 3), "xor": (0x00, 4),
    "srl": (0x00, 5), "sra": (0x20, 5), "or": (0x00, 6), "and": (0x00, 7),
    "mul": (0x01, 0), "mulh": (0x01, 1), "mulhsu": (0x01, 2), "mulhu": (0x01, 3),
    "div": (0x01, 4), "divu": (0x01, 5), "rem": (0x01, 6), "remu": (0x01, 7),
}
I_OPS = {"addi": 0, "slti": 2, "sltiu": 3, "xori": 4, "ori": 6, "andi": 7}
SHIFT_OPS = {"slli": (0x00, 1), "srli": (0x00, 5), "srai": (0x20, 5)}
LOADS = {"lb": (0, 1), "lh": (1, 2), "lw": (2, 4), "lbu": (4, 1), "lhu": (5, 2)}  # funct3, width
STORES = {"sb": (0, 1), "sh": (1, 2), "sw": (2, 4)}
BRANCHES = {"beq": 0, "bne": 1, "blt": 4, "bge": 5, "bltu": 6, "bgeu": 7}


def r_type(name, rd, rs1, rs2):
    funct7, funct3 = R_OPS[name]
    return funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x33


def i_type(funct3, rd, rs1, imm, opcode=0x13):
    assert -2048 <= imm <= 2047
    return (imm & 0xFFF) << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | opcode


def op_imm(name, rd, rs1, imm):
    return i_type(I_OPS[name], rd, rs1, imm)


def shift_imm(name, rd, rs1, shamt):
    funct7, funct3 = SHIFT_OPS[name]
    return funct7 << 25 | shamt << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x13


def load(name, rd, rs1, imm):
    return i_type(LOADS[name][0], rd, rs1, imm, opcode=0x03)


def store(name, rs2, rs1, imm):
    assert -2048 <= imm <= 2047
    imm &= 0xFFF
    return (imm >> 5) << 25 | rs2 << 20 | rs1 << 15 | STORES[name][0] << 12 | (imm & 0x1F) << 7 | 0x23


def branch(name, rs1, rs2, offset):
    assert offset % 2 == 0 and -4096 <= offset < 4096
    o = offset & 0x1FFF
    return ((o >> 12) & 1) << 31 | ((o >> 5) & 0x3F) << 25 | rs2 << 20 | rs1 << 15 | BRANCHES[name] << 12 \
        | ((o >> 1) & 0xF) << 8 | ((o >> 11) & 1) << 7 | 0x63


def jal(rd, offset):
    assert offset % 2 == 0 and -(1 << 20) <= offset < (1 << 20)
    o = offset & 0x1FFFFF
    return ((o >> 20) & 1) << 31 | ((o >> 1) & 0x3FF) << 21 | ((o >> 11) & 1) << 20 | ((o >> 12) & 0xFF) << 12 \
        | rd << 7 | 0x6F


def jalr(rd, rs1, imm):
    return i_type(0, rd, rs1, imm, opcode=0x67)


def lui(rd, imm20):
    return (imm20 & 0xFFFFF) << 12 | rd << 7 | 0x37


def auipc(rd, imm20):
    return (imm20 & 0xFFFFF) << 12 | rd << 7 | 0x17


FENCE = 0x0FF0000F
ECALL = 0x00000073


def signed12(value):
    value &= 0xFFF
    return value - 0x1000 if value & 0x800 else value


def li(rd, value):
    """lui + addi that set rd to any 32-bit value (always two instructions, so code size is predictable)."""
    value &= 0xFFFFFFFF
    low = signed12(value)
    high = ((value - low) & 0xFFFFFFFF) >> 12
    return [lui(rd, high), op_imm("addi", rd, rd, low)]


def dump_and_write(with_memory):
    words = [store("sw", r, 0, DUMP - (1 << 32) + 4 * (r - 1)) for r in range(1, 32)]
    words += write_words(DUMP, 31 * 4)
    if with_memory:
        words += write_words(DATA, DATA_SIZE)
    return words


def write_words(address, length):
    return [op_imm("addi", 17, 0, 64), op_imm("addi", 10, 0, 1), op_imm("addi", 11, 0, signed12(address)),
            op_imm("addi", 12, 0, length), ECALL]


def exit_words(code=0):
    return [op_imm("addi", 17, 0, 93), op_imm("addi", 10, 0, code), ECALL]


class Case:
    """One case: initial registers, optional data window contents, and a body given as a list of units, each a
    list of words. Branches and jumps only target unit starts, so they never split a base-address setup from the
    load or store that uses it."""

    def __init__(self, registers, memory, units, label):
        self.registers, self.memory, self.units, self.label = registers, memory, units, label

    def words(self):
        out = []
        if self.memory is not None:
            for i, value in enumerate(self.memory):
                out += li(5, value) + [store("sw", 5, 0, DATA - (1 << 32) + 4 * i)]
        for r in range(1, 32):
            out += li(r, self.registers[r])
        for unit in self.units:
            out += unit
        return out + dump_and_write(self.memory is not None)

    def journal_size(self):
        return 31 * 4 + (DATA_SIZE if self.memory is not None else 0)

    def body_instructions(self):
        return sum(len(u) for u in self.units)


def assemble(cases):
    words = []
    for case in cases:
        words += case.words()
    words += exit_words()
    return struct.pack(f"<{len(words)}I", *words)


# MARK: random cases

def random_value(rng):
    return rng.choice(EDGES) if rng.random() < 0.3 else rng.getrandbits(32)


def random_imm12(rng):
    return rng.choice([0, 1, -1, 2047, -2048, 4, -4]) if rng.random() < 0.3 else rng.randint(-2048, 2047)


def random_unit(rng, index, count):
    """One unit of a random body. `index` and `count` locate it so that control flow only goes forward to a later
    unit start (or the end of the body, index == count), which keeps every program terminating."""
    reg = lambda: rng.randrange(32)
    kind = rng.choices(["r", "i", "shift", "upper", "load", "store", "branch", "jal", "jalr", "fence"],
                       weights=[30, 16, 8, 4, 10, 10, 10, 4, 4, 1])[0]
    if kind == "r":
        return [r_type(rng.choice(list(R_OPS)), reg(), reg(), reg())]
    if kind == "i":
        return [op_imm(rng.choice(list(I_OPS)), reg(), reg(), random_imm12(rng))]
    if kind == "shift":
        return [shift_imm(rng.choice(list(SHIFT_OPS)), reg(), reg(), rng.choice([0, 1, 31, rng.randrange(32)]))]
    if kind == "upper":
        return [rng.choice([lui, auipc])(reg(), rng.getrandbits(20))]
    if kind in ("load", "store"):
        name = rng.choice(list(LOADS if kind == "load" else STORES))
        width = (LOADS if kind == "load" else STORES)[name][1]
        target = DATA + rng.randrange(DATA_SIZE // width) * width
        imm = random_imm12(rng)
        base = rng.randrange(1, 32)
        setup = li(base, target - imm)
        return setup + [load(name, reg(), base, imm) if kind == "load" else store(name, reg(), base, imm)]
    if kind == "fence":
        return [FENCE]
    # Control flow: the unit's own length is fixed per kind, so forward offsets are computable after generation;
    # a placeholder records the target unit and is resolved in `random_case`.
    target = rng.randint(index + 1, count)
    if kind == "branch":
        return [("branch", rng.choice(list(BRANCHES)), reg(), reg(), target)]
    if kind == "jal":
        return [("jal", reg(), target)]
    return [("jalr", reg(), rng.randrange(1, 32), target, rng.random() < 0.5)]


def resolve(units):
    starts, at = [], 0
    for unit in units:
        starts.append(at)
        at += 2 if unit and isinstance(unit[0], tuple) and unit[0][0] == "jalr" else len(unit)
    starts.append(at)
    out = []
    for unit, start in zip(units, starts):
        if unit and isinstance(unit[0], tuple):
            item = unit[0]
            if item[0] == "branch":
                _, name, rs1, rs2, target = item
                unit = [branch(name, rs1, rs2, 4 * (starts[target] - start))]
            elif item[0] == "jal":
                _, rd, target = item
                unit = [jal(rd, 4 * (starts[target] - start))]
            else:
                _, rd, base, target, odd = item
                # auipc base, 0 puts this unit's address in base; jalr adds the offset to the target, plus 1
                # half the time to check that JALR clears bit 0.
                unit = [auipc(base, 0), jalr(rd, base, 4 * (starts[target] - start) + (1 if odd else 0))]
        out.append(unit)
    return out


def random_case(rng, number, body_units=24):
    registers = [0] + [random_value(rng) for _ in range(31)]
    memory = [random_value(rng) for _ in range(DATA_SIZE // 4)]
    units = resolve([random_unit(rng, i, body_units) for i in range(body_units)])
    return Case(registers, memory, units, f"random #{number}")


# MARK: edge cases

def edge_cases(rng):
    """Every instruction on the edge values: R-type and M ops on all pairs (with aliased and x0 destinations),
    immediates, shift amounts, sign extension of every load at every offset, every store width, branches."""
    cases = []

    def regs(**fixed):
        r = [0] + [rng.getrandbits(32) for _ in range(31)]
        for name, value in fixed.items():
            r[int(name[1:])] = value
        return r

    for name in R_OPS:
        for a in EDGES:
            for b in EDGES:
                body = [[r_type(name, 7, 5, 6)], [r_type(name, 8, 6, 5)], [r_type(name, 0, 5, 6)],
                        [r_type(name, 9, 5, 5)], [r_type(name, 5, 5, 6)]]
                cases.append(Case(regs(x5=a, x6=b), None, body, f"{name} {a:#x} {b:#x}"))
    for name in I_OPS:
        for a in EDGES:
            body = [[op_imm(name, 7 + i, 5, imm)] for i, imm in enumerate([0, 1, -1, 2047, -2048, 0x555, -0x556])]
            cases.append(Case(regs(x5=a), None, body, f"{name} {a:#x}"))
    for name in SHIFT_OPS:
        for a in EDGES:
            body = [[shift_imm(name, 7 + i, 5, s)] for i, s in enumerate([0, 1, 15, 16, 30, 31])]
            cases.append(Case(regs(x5=a), None, body, f"{name} {a:#x}"))
    for name in ("sll", "srl", "sra"):
        for a in EDGES:
            amounts = [0, 1, 31, 32, 33, 63, 64, 0xFFFFFFFF, 0x80000000, 0xFFFFFFE1]
            registers = regs(x5=a, **{f"x{10 + i}": s for i, s in enumerate(amounts)})
            body = [[r_type(name, 20 + i, 5, 10 + i)] for i in range(len(amounts))]
            cases.append(Case(registers, None, body, f"{name} amounts {a:#x}"))
    patterns = [0x80808080, 0x7F7F7F7F, 0xFFFFFFFF, 0x00000000, 0x8000FFFF, 0x7FFF8000, 0x12345678, 0xFF00FF00]
    memory = patterns * (DATA_SIZE // 4 // len(patterns))
    for name, (_, width) in LOADS.items():
        body = []
        for offset in range(0, 4 * len(patterns), width):
            body.append(li(6, DATA) + [load(name, 7 + len(body) % 20, 6, offset)])
        cases.append(Case(regs(), memory, body, f"{name} sign extension"))
    for name, (_, width) in STORES.items():
        for value in EDGES:
            body = [li(6, DATA + 64) + [store(name, 5, 6, offset)] for offset in range(0, 16, width)]
            cases.append(Case(regs(x5=value), list(memory), body, f"{name} {value:#x}"))
    for name in BRANCHES:
        for a in EDGES:
            for b in EDGES:
                # Taken: skips the first addi, so x7 stays 0 and x8 becomes 2; not taken: x7 = 1 too.
                body = [[branch(name, 5, 6, 8), op_imm("addi", 7, 0, 1), op_imm("addi", 8, 0, 2)]]
                cases.append(Case(regs(x5=a, x6=b, x7=0), None, body, f"{name} {a:#x} {b:#x}"))
    return cases
