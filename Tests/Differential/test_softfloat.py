"""Guest/Swift/softfloat.c (binary64 in software, for Swift guests on RV32IM) against the host's floating-point
hardware, bit for bit: the file is built for the host with its functions renamed, beside a reference that uses the
host's own double arithmetic, and both are called through ctypes on edge cases and random operands from fixed
seeds."""
import ctypes
import math
import random
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

REFERENCE = r"""
#include <math.h>
#include <stdint.h>
double ref_add(double a, double b) { return a + b; }
double ref_sub(double a, double b) { return a - b; }
double ref_mul(double a, double b) { return a * b; }
double ref_div(double a, double b) { return a / b; }
double ref_neg(double a) { return -a; }
int ref_lt(double a, double b) { return a < b; }
int ref_le(double a, double b) { return a <= b; }
int ref_gt(double a, double b) { return a > b; }
int ref_ge(double a, double b) { return a >= b; }
int ref_eq(double a, double b) { return a == b; }
int ref_unordered(double a, double b) { return isnan(a) || isnan(b); }
double ref_from_int(int32_t i) { return (double)i; }
double ref_from_unsigned(uint32_t i) { return (double)i; }
double ref_ceil(double a) { return ceil(a); }
double ref_floor(double a) { return floor(a); }
double ref_trunc(double a) { return trunc(a); }
"""


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    compiler = shutil.which("cc") or "/opt/swift/usr/bin/clang"
    out = tmp_path_factory.mktemp("softfloat")
    (out / "reference.c").write_text(REFERENCE)
    # -ffp-contract=off: the reference must round each operation, never fuse a multiply and an add.
    subprocess.run([compiler, "-O2", "-shared", "-fPIC", "-ffp-contract=off", "-DSOFTFLOAT_NAME(name)=soft##name",
                    str(ROOT / "Guest/Swift/softfloat.c"), str(out / "reference.c"), "-o", str(out / "libsf.so"),
                    "-lm"], check=True)
    library = ctypes.CDLL(str(out / "libsf.so"))
    d, i32, u32 = ctypes.c_double, ctypes.c_int32, ctypes.c_uint32
    signatures = {
        "soft__adddf3": (d, [d, d]), "soft__subdf3": (d, [d, d]), "soft__muldf3": (d, [d, d]),
        "soft__divdf3": (d, [d, d]), "soft__negdf2": (d, [d]),
        "soft__eqdf2": (i32, [d, d]), "soft__nedf2": (i32, [d, d]), "soft__ltdf2": (i32, [d, d]),
        "soft__ledf2": (i32, [d, d]), "soft__gtdf2": (i32, [d, d]), "soft__gedf2": (i32, [d, d]),
        "soft__unorddf2": (i32, [d, d]),
        "soft__floatsidf": (d, [i32]), "soft__floatunsidf": (d, [u32]),
        "soft__fixdfsi": (i32, [d]), "soft__fixunsdfsi": (u32, [d]),
        "softceil": (d, [d]), "softfloor": (d, [d]), "softtrunc": (d, [d]),
        "ref_add": (d, [d, d]), "ref_sub": (d, [d, d]), "ref_mul": (d, [d, d]), "ref_div": (d, [d, d]),
        "ref_neg": (d, [d]), "ref_lt": (i32, [d, d]), "ref_le": (i32, [d, d]), "ref_gt": (i32, [d, d]),
        "ref_ge": (i32, [d, d]), "ref_eq": (i32, [d, d]), "ref_unordered": (i32, [d, d]),
        "ref_from_int": (d, [i32]), "ref_from_unsigned": (d, [u32]),
        "ref_ceil": (d, [d]), "ref_floor": (d, [d]), "ref_trunc": (d, [d]),
    }
    for name, (result, arguments) in signatures.items():
        function = getattr(library, name)
        function.restype, function.argtypes = result, arguments
    return library


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def double(b):
    return struct.unpack("<d", struct.pack("<Q", b % 2**64))[0]


EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, 1.5, 2.5, -2.5, 3.0, 0.75, 1 / 3, 2.0**-1074, -(2.0**-1074), 2.0**-1022,
         2.0**-1022 - 2.0**-1074, 2.0**1023, 1.7976931348623157e308, -1.7976931348623157e308, math.inf, -math.inf,
         math.nan, 2.0**52, 2.0**52 + 1, 2.0**53, 4503599627370495.5, 2147483647.0, -2147483648.0, 4294967295.0,
         1e-310, 123456.789, -0.1, 1e16]


def operands(seed, count):
    """Edge values, random bit patterns (every class: NaN, infinities, subnormals) and values of nearby
    magnitudes (where additions cancel and products stay in range)."""
    rng = random.Random(seed)
    values = list(EDGES)
    for _ in range(count):
        kind = rng.randrange(3)
        if kind == 0:
            values.append(double(rng.getrandbits(64)))
        elif kind == 1:
            values.append(rng.uniform(-4, 4) * 2.0 ** rng.randint(-30, 30))
        else:
            exponent = rng.choice([0, 1, 2, 1022, 1023, 2045, 2046])
            values.append(double((rng.getrandbits(1) << 63) | exponent << 52 | rng.getrandbits(52)))
    return values


def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or bits(a) == bits(b)


@pytest.mark.parametrize("soft, ref", [("soft__adddf3", "ref_add"), ("soft__subdf3", "ref_sub"),
                                       ("soft__muldf3", "ref_mul"), ("soft__divdf3", "ref_div")])
def test_arithmetic_matches_the_hardware(lib, soft, ref):
    values = operands(1, 3000)
    rng = random.Random(2)
    pairs = [(a, b) for a in EDGES for b in EDGES]
    pairs += [(rng.choice(values), rng.choice(values)) for _ in range(60_000)]
    # Close operands: cancellation in sums, ties in rounding.
    pairs += [(a, double(bits(a) + rng.randint(-3, 3))) for a in values if not math.isnan(a)]
    pairs += [(a, -double(bits(a) ^ rng.getrandbits(3))) for a in values]
    f, g = getattr(lib, soft), getattr(lib, ref)
    wrong = [(a, b, f(a, b), g(a, b)) for a, b in pairs if not same(f(a, b), g(a, b))]
    examples = [(x.hex(), y.hex(), ours.hex(), theirs.hex()) for x, y, ours, theirs in wrong[:3]]
    assert not wrong, f"{len(wrong)} of {len(pairs)} differ, e.g. (a, b, ours, hardware) {examples}"
    nans = [f(a, b) for a, b in pairs if math.isnan(f(a, b))]
    assert all(bits(n) == 0x7FF8000000000000 for n in nans), "NaN results are the default quiet NaN"


def test_comparisons_follow_compiler_rt(lib):
    values = operands(3, 600)
    pairs = [(a, b) for a in values[:120] for b in values[:120]] + list(zip(values, values))
    for a, b in pairs:
        assert (lib.soft__ltdf2(a, b) < 0) == bool(lib.ref_lt(a, b)), (a, b)
        assert (lib.soft__ledf2(a, b) <= 0) == bool(lib.ref_le(a, b)), (a, b)
        assert (lib.soft__gtdf2(a, b) > 0) == bool(lib.ref_gt(a, b)), (a, b)
        assert (lib.soft__gedf2(a, b) >= 0) == bool(lib.ref_ge(a, b)), (a, b)
        assert (lib.soft__eqdf2(a, b) == 0) == bool(lib.ref_eq(a, b)), (a, b)
        assert (lib.soft__nedf2(a, b) != 0) == (not lib.ref_eq(a, b)), (a, b)
        assert bool(lib.soft__unorddf2(a, b)) == bool(lib.ref_unordered(a, b)), (a, b)


def test_conversions_and_rounding(lib):
    rng = random.Random(4)
    integers = [0, 1, -1, 2**31 - 1, -(2**31), 2**30, 12345]
    integers += [rng.randint(-(2**31), 2**31 - 1) for _ in range(20000)]
    for i in integers:
        assert bits(lib.soft__floatsidf(i)) == bits(lib.ref_from_int(i)), i
        assert bits(lib.soft__floatunsidf(i % 2**32)) == bits(lib.ref_from_unsigned(i % 2**32)), i
    for x in operands(5, 20000):
        for name in ("ceil", "floor", "trunc"):
            assert same(getattr(lib, f"soft{name}")(x), getattr(lib, f"ref_{name}")(x)), (name, x.hex())
        assert same(lib.soft__negdf2(x), lib.ref_neg(x))
        if not math.isnan(x) and -(2**31) - 1 < x < 2**31:
            assert lib.soft__fixdfsi(x) == math.trunc(x), x
        if not math.isnan(x) and -1 < x < 2**32:
            assert lib.soft__fixunsdfsi(x) == math.trunc(x), x
