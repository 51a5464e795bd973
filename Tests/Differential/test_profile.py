"""`zkvm run --profile` read back by a second, independent decoder: Python's gzip and a minimal protocol buffer
reader written against pprof's public proto/profile.proto. Checks the format (string table, samples, locations,
functions, lines), that the samples add up to the cycle count of `zkvm run --json`, and the known call chain of
Vectors/programs/profile (main → f → g, main → h tail-calling g)."""
import gzip
import json
import subprocess
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "Vectors/programs/profile"


def varint(data, i):
    value = shift = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, i


def fields(data):
    """Yields (field number, wire type, value) of one message; length-delimited values are bytes."""
    i = 0
    while i < len(data):
        key, i = varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(data, i)
        elif wire == 2:
            length, i = varint(data, i)
            value = data[i:i + length]
            assert len(value) == length, "truncated field"
            i += length
        elif wire == 1:
            value, i = int.from_bytes(data[i:i + 8], "little"), i + 8
        elif wire == 5:
            value, i = int.from_bytes(data[i:i + 4], "little"), i + 4
        else:
            raise AssertionError(f"wire type {wire}")
        yield number, wire, value


def repeated_varints(wire, value):
    if wire == 0:
        return [value]
    out, i = [], 0
    while i < len(value):
        v, i = varint(value, i)
        out.append(v)
    return out


def decode(blob):
    """Profile → dict with strings resolved: sample_type, samples [(location ids, values)], locations
    {id: (address, [(function id, line)])}, functions {id: (name, filename, start_line)}, comments."""
    raw = {"sample_type": [], "sample": [], "location": [], "function": [], "mapping": [], "strings": [],
           "comment": []}
    for number, wire, value in fields(blob):
        name = {1: "sample_type", 2: "sample", 3: "mapping", 4: "location", 5: "function", 6: "strings",
                13: "comment"}.get(number)
        if name == "comment":
            raw[name].extend(repeated_varints(wire, value))
        elif name:
            raw[name].append(value)
    strings = [s.decode() for s in raw["strings"]]
    assert strings and strings[0] == "", "string table must start with the empty string"
    profile = {"strings": strings, "comments": [strings[i] for i in raw["comment"]]}
    profile["sample_type"] = []
    for message in raw["sample_type"]:
        f = {n: v for n, _, v in fields(message)}
        profile["sample_type"].append((strings[f.get(1, 0)], strings[f.get(2, 0)]))
    profile["samples"] = []
    for message in raw["sample"]:
        ids, values = [], []
        for n, w, v in fields(message):
            if n == 1:
                ids += repeated_varints(w, v)
            elif n == 2:
                values += repeated_varints(w, v)
        profile["samples"].append((ids, values))
    profile["locations"] = {}
    for message in raw["location"]:
        loc_id, address, lines = 0, 0, []
        for n, _, v in fields(message):
            if n == 1:
                loc_id = v
            elif n == 3:
                address = v
            elif n == 4:
                f = {k: x for k, _, x in fields(v)}
                lines.append((f.get(1, 0), f.get(2, 0)))
        assert loc_id > 0 and loc_id not in profile["locations"]
        profile["locations"][loc_id] = (address, lines)
    profile["functions"] = {}
    for message in raw["function"]:
        f = {n: v for n, _, v in fields(message)}
        assert f[1] > 0 and f[1] not in profile["functions"]
        profile["functions"][f[1]] = (strings[f.get(2, 0)], strings[f.get(4, 0)], f.get(5, 0))
    profile["mappings"] = [{n: v for n, _, v in fields(m)} for m in raw["mapping"]]
    return profile


def run(zkvm, program, *extra):
    done = subprocess.run([zkvm, "run", str(program), "--input", str(EXAMPLE / "input.bin"), *extra],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def stacks(profile):
    """Each sample as (function names leaf first, (file, line) of the leaf, cycles)."""
    out = []
    for ids, values in profile["samples"]:
        names, lines = [], []
        for loc_id in ids:
            address, loc_lines = profile["locations"][loc_id]
            function_id, line = loc_lines[0] if loc_lines else (0, 0)
            name, filename, _ = profile["functions"].get(function_id, (hex(address), "", 0))
            names.append(name)
            lines.append((Path(filename).name, line))
        out.append((names, lines, values[0]))
    return out


def source_line(text):
    return next(i for i, line in enumerate((EXAMPLE / "main.c").read_text().splitlines(), 1) if text in line)


@pytest.mark.parametrize("program", ["program.elf", "program-dwarf4.elf"])
def test_profile_decodes_and_adds_up(zkvm, tmp_path, program):
    cycles = json.loads(run(zkvm, EXAMPLE / program, "--json").stdout)["cycles"]
    out = tmp_path / "profile.pb.gz"
    run(zkvm, EXAMPLE / program, "--profile", str(out))
    profile = decode(gzip.decompress(out.read_bytes()))

    assert profile["sample_type"] == [("cycles", "count")]
    assert sum(values[0] for _, values in profile["samples"]) == cycles
    assert all(values[0] > 0 for _, values in profile["samples"])
    assert len({tuple(ids) for ids, _ in profile["samples"]}) == len(profile["samples"]), "one sample per stack"
    assert any(c.startswith("program id ") for c in profile["comments"])

    found = stacks(profile)
    hot, call_f, call_g, call_h = (source_line(t) for t in ("acc = acc *", "f(seed) + h(seed)", "g(x, 1000)",
                                                            "f(seed) + h(seed)"))
    chain = [s for s in found if s[0][:4] == ["g", "f", "main", "_start"]]
    assert chain, "no main → f → g stack"
    assert any(lines[0] == ("main.c", hot) for _, lines, _ in chain)
    assert all(lines[1][0] == "main.c" and lines[2] == ("main.c", call_f) for _, lines, _ in chain)
    assert {lines[1][1] for _, lines, _ in chain} == {call_g, call_g + 1}
    # h ends in a tail call: g then runs in h's frame, below main's call to h.
    tail = [s for s in found if s[0] == ["g", "main", "_start"]]
    assert tail and all(lines[1] == ("main.c", call_h) for _, lines, _ in tail)
    g_cycles = sum(c for names, _, c in found if names[0] == "g")
    assert g_cycles > 0.9 * cycles
    # Inlined calls are extra lines of their location, innermost first: the ECALL of main's read loop lies in
    # zkvm_syscall, inlined into zkvm_read, into zkvm_read_all, into main (as llvm-symbolizer --inlining says).
    ecall = next(lines for address, lines in profile["locations"].values() if address == 0x100D0)
    frames = [(profile["functions"][f][0], Path(profile["functions"][f][1]).name, line) for f, line in ecall]
    assert frames == [("zkvm_syscall", "zkvm.h", 24), ("zkvm_read", "zkvm.h", 30), ("zkvm_read_all", "zkvm.h", 38),
                      ("main", "main.c", 30)]


def test_stripped_profile_names_functions_by_entry_address(zkvm, tmp_path):
    out = tmp_path / "stripped.pb.gz"
    run(zkvm, EXAMPLE / "program-stripped.elf", "--profile", str(out))
    stripped = decode(gzip.decompress(out.read_bytes()))
    out = tmp_path / "full.pb.gz"
    run(zkvm, EXAMPLE / "program.elf", "--profile", str(out))
    full = decode(gzip.decompress(out.read_bytes()))
    starts = {}
    for ids, _ in full["samples"]:
        for loc_id in ids:
            address, lines = full["locations"][loc_id]
            starts.setdefault(full["functions"][lines[-1][0]][0], set()).add(address)
    names = {name for name, filename, _ in stripped["functions"].values()}
    assert all(n.startswith("0x") and len(n) == 10 for n in names), names
    assert stripped["mappings"][0].get(7, 0) == 0, "has_functions must be false without a symbol table"
    # Same code, same stacks: each stripped sample's names are the entry addresses of the full sample's names.
    assert sorted(v[0] for _, v in stripped["samples"]) == sorted(v[0] for _, v in full["samples"])
    g_entry = min(starts["g"])
    assert f"0x{g_entry:08x}" in names
