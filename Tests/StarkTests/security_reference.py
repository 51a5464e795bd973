#!/usr/bin/env python3
"""Reference security figures for the zkvm STARK, computed independently of the Swift code.

Regenerate the expected values pinned in Tests/StarkTests/SecurityTests.swift with

    python3 Tests/StarkTests/security_reference.py

and paste the two printed tables (`figures` and `terms`) over the ones in the test. Standard library only.

The script re-derives every size from the parameters and a hand-written summary of each AIR (mask degree, FRI
degree bound, composition segments, FRI folds), so a drift in the Swift shape code, in the Swift formulas or in an
example AIR shows up as a mismatch. The formulas are those of docs/security.md:

* conjectured = min(q * log2(1/rho) + g, log2|F| - log2 N, 104)
* proven = min(max over m of -log2(sum of the error terms), 104): the Johnson-bound (list decoding) analysis of
  eprint 2024/1553, Theorem 2, with the FRI commit-phase terms of BCIKS20 / eprint 2022/1216.
"""

import math

FIELD_BITS = 251.0  # log2 p for p = 2^251 + 17 * 2^192 + 1, to double precision
HASH_BITS = 104.0  # collision resistance of the Merkle trees' 208-bit BLAKE2b digests
MAX_M = 1000  # the proximity parameter is searched over 3..MAX_M

# Each AIR as: main and auxiliary column counts, constraints as (degree, divisor), buses as (entries, widest entry).
# A divisor is "n" (every row), "n-1" (transitions) or 1 (a single row).
AIRS = {
    "fibonacci": dict(main=2, aux=0, constraints=[(1, "n-1")] * 2 + [(1, 1)] * 3, buses=[]),
    "range_check_6": dict(
        main=3,
        aux=2,  # the two entries share one inverse column, plus one running sum
        constraints=[(1, 1), (2, "n-1"), (1, 1)]  # table start, step, end
        + [(3, "n")]  # h * (alpha - value) * (alpha - table) - (alpha - table) + m * (alpha - value)
        + [(1, 1), (1, "n-1"), (1, 1)],  # running sum: first row, step, balances
        buses=[(2, 1)],
    ),
    "rescue_shaped_12": dict(main=12, aux=0, constraints=[(3, "n-1")] * 12 + [(1, 1)] * 24, buses=[]),
    # SecurityTests.typicalAIR: 12 columns, 30 constraints of degree up to 3, one bus of 3 two-value entries
    # (the first two share an inverse column, the third has its own).
    "typical": dict(
        main=12,
        aux=3,
        constraints=[(3, "n-1")] * 12 + [(2, "n")] * 12 + [(1, 1)] * 6 + [(3, "n"), (2, "n")]
        + [(1, 1), (1, "n-1"), (1, 1)],
        buses=[(3, 2)],
    ),
}

PROFILES = {
    # name: (log blowup, queries, grinding bits, log folding factor, log remainder degree, zero knowledge)
    "default": (2, 86, 20, 3, 9, True),
    "fast": (2, 41, 20, 2, 5, True),
    "test": (2, 8, 2, 2, 5, False),
    "ethstark": (2, 30, 20, 3, 5, True),
    "compact": (3, 55, 20, 3, 5, True),
}


def ceil_div(a, b):
    return -(-a // b)


def shape(air, profile, log_n):
    log_blowup, queries, _, log_fold, log_remainder, zk = profile
    n = 2**log_n
    fold = 2**log_fold
    k = 2 * queries + 2 if zk else 0
    lde = n * 2**log_blowup
    degree_bound = n + k
    composition = 0
    for degree, divisor in air["constraints"]:
        roots = {"n": n, "n-1": n - 1}.get(divisor, divisor)
        composition = max(composition, degree * (n + k - 1) - roots + 1)
    segments = max(2 if zk else 1, ceil_div(composition, n))
    # Folding goes on while the degree bound exceeds the remainder's and the folded domain keeps two whole
    # cosets; the prover folds at least once, the last fold giving the remainder.
    folds, degree, domain = 0, degree_bound, lde
    while degree > 2**log_remainder and domain // fold >= 2 * fold:
        degree, domain, folds = ceil_div(degree, fold), domain // fold, folds + 1
    return dict(n=n, k=k, N=lde, d=degree_bound, segments=segments, fold=fold, folds=max(1, folds))


def conjectured(air, profile, log_n):
    s = shape(air, profile, log_n)
    queries, grinding = profile[1], profile[2]
    bits = queries * math.log2(s["N"] / s["d"]) + grinding
    return max(0.0, min(bits, FIELD_BITS - math.log2(s["N"]), HASH_BITS))


def error_terms(air, profile, log_n, m):
    """(name, log2 of the error) for every step of the proven analysis, proximity parameter m."""
    s = shape(air, profile, log_n)
    queries, grinding, zk = profile[1], profile[2], profile[5]
    n, lde, d, fold = s["n"], s["N"], s["d"], s["fold"]
    rho = d / lde
    lst = m / (rho - 2 * m / lde)  # Johnson list size
    out = []
    out.append(("ALI", math.log2(lst * len(air["constraints"])) - FIELD_BITS))
    logup = sum(2 * e * n + (w - 1) * (e * n) ** 2 / 2 for e, w in air["buses"])
    if logup:
        out.append(("LogUp", math.log2(lst * logup) - FIELD_BITS))
    top_degree = max(deg for deg, _ in air["constraints"])
    out.append(("DEEP", math.log2(lst**2 * (top_degree * (d + 1) + d - 1)) - FIELD_BITS))

    def line(domain, rate):  # correlated agreement for a line, Johnson range, constant 1/2
        return math.log2((m + 0.5) ** 7 * domain**2 / (2 * rate**1.5)) - FIELD_BITS

    functions = 2 * (air["main"] + air["aux"]) + s["segments"] + (1 if zk else 0)
    out.append(("FRI batching", math.log2(functions - 1) + line(lde, rho)))
    domain, degree = lde, d
    for i in range(s["folds"]):
        out.append((f"FRI fold {i + 1}", math.log2(fold - 1) + line(domain, degree / domain)))
        domain, degree = domain // fold, ceil_div(degree, fold)
    alpha = (1 + 1 / (2 * m)) * math.sqrt(rho)
    out.append(("FRI queries", queries * math.log2(alpha) - grinding))
    return out


def admissible_m(d):
    # The slack condition m < 1 / (2 (sqrt((d + 2) / d) - 1)), rearranged as m < (sqrt(1 + 2/d) + 1) d / 4 so
    # nothing cancels for large d, and the list-size condition 2m < d.
    limit = (math.sqrt(1 + 2 / d) + 1) * d / 4
    return [m for m in range(3, MAX_M + 1) if m < limit and 2 * m < d]


def proven(air, profile, log_n):
    s = shape(air, profile, log_n)
    ms = admissible_m(s["d"]) if s["d"] < s["N"] else []
    if not ms:
        return 0.0
    best = -math.inf
    for m in ms:
        total = sum(2.0 ** e for _, e in error_terms(air, profile, log_n, m))
        best = max(best, -math.log2(total))
    return max(0.0, min(best, HASH_BITS))


FIGURE_CASES = [
    (profile, air, log_n)
    for profile in PROFILES
    for air in AIRS
    for log_n in (10, 16, 20, 22)
]

TERM_CASES = [
    ("default", "typical", 10, 3),
    ("default", "typical", 22, 1000),
    ("default", "range_check_6", 16, 50),
    ("fast", "rescue_shaped_12", 20, 1000),
    ("ethstark", "typical", 14, 7),
    ("test", "fibonacci", 12, 3),
]

if __name__ == "__main__":
    print("    // figures: (profile, AIR, log2 n, conjectured bits, proven bits)")
    for profile, air, log_n in FIGURE_CASES:
        c = conjectured(AIRS[air], PROFILES[profile], log_n)
        p = proven(AIRS[air], PROFILES[profile], log_n)
        print(f'        ("{profile}", "{air}", {log_n}, {c:.4f}, {p:.4f}),')
    print("    // terms: (profile, AIR, log2 n, m, [(term, bits)])")
    for profile, air, log_n, m in TERM_CASES:
        terms = error_terms(AIRS[air], PROFILES[profile], log_n, m)
        listed = ", ".join(f'("{name}", {-e:.4f})' for name, e in terms)
        print(f'        ("{profile}", "{air}", {log_n}, {m}, [{listed}]),')
