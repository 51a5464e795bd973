"""The standing agreement check between the machine and the circuit.

For every program of a corpus, `zkvm run` says what the machine does, which must be what the corpus expects (its
outcome, and its journal where a corner states one); then
- a program the machine runs to `exit` must prove (insecure `test` profile: this checks the circuit's meaning and
  completeness, not security) and the receipt must verify with the same journal and exit code;
- a program the machine refuses must be refused by `zkvm prove` too, with the machine's own reason, and leave no
  receipt behind.

The corpus is the hand-made corners of corners.py plus random and edge-case programs of the Unicorn differential
tests. As a command it runs a sweep and closes with `N agreed, M disagreed`:

    python3 Tests/Differential/agreement.py [--zkvm PATH] [--random N] [--seed S] [--edge] [--sample K]
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corners  # noqa: E402

MAX_CYCLES = "1000000"


def zkvm_json(zkvm, *arguments, timeout=900):
    done = subprocess.run([zkvm, *arguments], capture_output=True, text=True, timeout=timeout)
    result = json.loads(done.stdout) if done.returncode == 0 and done.stdout.strip() else None
    return done.returncode, result, done.stderr.strip()


def check(zkvm, corner, folder):
    """Returns None when the machine and the prover agree on `corner`, else what differs."""
    folder = Path(folder)
    program, data, receipt = folder / "program.bin", folder / "input.bin", folder / "receipt.bin"
    program.write_bytes(corner.program)
    data.write_bytes(corner.input)
    if receipt.exists():
        receipt.unlink()

    code, run, run_error = zkvm_json(zkvm, "run", str(program), "--input", str(data), "--json",
                                     "--max-cycles", MAX_CYCLES)
    outcome = "exit" if code == 0 else "fault"
    if outcome != corner.expect:
        return f"the machine should {corner.expect} but did {outcome}: {run_error or run}"
    if corner.journal is not None and run["journal"] != corner.journal.hex():
        got, want = bytes.fromhex(run["journal"]), corner.journal
        at = next((i for i, (x, y) in enumerate(zip(got, want)) if x != y), min(len(got), len(want))) // 4 * 4
        return (f"the machine's journal ({len(got)} bytes) is not the expected one ({len(want)} bytes) from byte {at}:"
                f" {got[at:at + 4].hex() or 'nothing'} for {want[at:at + 4].hex() or 'nothing'}")

    code, proved, prove_error = zkvm_json(zkvm, "prove", str(program), "--input", str(data), "--profile", "test",
                                          "-o", str(receipt), "--max-cycles", MAX_CYCLES, "--json")
    if outcome == "fault":
        if code == 0:
            return f"the machine refuses ({run_error}) but the prover proved it"
        if receipt.exists():
            return "the prover failed but left a receipt behind"
        # A guest fault names its pc: the prover must refuse at the same one.
        pc = re.search(r"at pc (0x[0-9a-f]+)", run_error)
        if pc and pc.group(0) not in prove_error:
            return f"the machine says {run_error!r}, the prover {prove_error!r}"
        return None

    if code != 0:
        return f"the machine exits {run['exit_code']} but the prover fails: {prove_error}"
    code, verified, verify_error = zkvm_json(zkvm, "verify", str(receipt), "--program", str(program),
                                             "--min-bits", "0", "--json")
    if code != 0 or not verified or not verified.get("verified"):
        return f"the receipt does not verify: {verify_error}"
    for key in ("journal", "exit_code"):
        if verified[key] != run[key] or proved[key] != run[key]:
            return f"{key}: machine {run[key]!r}, prover {proved[key]!r}, verifier {verified[key]!r}"
    return None


def corpus(random_count=0, seed=1, edge=False):
    programs = corners.all_corners()
    programs += corners.random_programs(random.Random(seed), random_count)
    if edge:
        programs += corners.edge_programs(random.Random(7))
    return programs


def sweep(zkvm, programs, log=print):
    agreed, disagreed = 0, []
    with tempfile.TemporaryDirectory() as folder:
        for corner in programs:
            start = time.monotonic()
            problem = check(zkvm, corner, folder)
            seconds = time.monotonic() - start
            if problem is None:
                agreed += 1
                log(f"  agree     {corner.expect:5} {corner.name} ({seconds:.1f} s)")
            else:
                disagreed.append((corner.name, problem))
                log(f"  DISAGREE  {corner.name}: {problem}")
    return agreed, disagreed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--zkvm", default=os.environ.get("ZKVM_BIN", str(HERE.parents[1] / ".build/release/zkvm")))
    parser.add_argument("--random", type=int, default=20, help="random programs (6 random cases each)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--edge", action="store_true", help="also every instruction on edge values")
    arguments = parser.parse_args()
    programs = corpus(arguments.random, arguments.seed, arguments.edge)
    agreed, disagreed = sweep(arguments.zkvm, programs)
    print(f"{agreed} agreed, {len(disagreed)} disagreed")
    sys.exit(1 if disagreed else 0)


if __name__ == "__main__":
    main()
