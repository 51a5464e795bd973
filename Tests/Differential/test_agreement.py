"""Machine/circuit agreement on a fixed sample of the corpus: every corner the machine refuses (cheap: nothing to
prove), the corners that pin down a meaning the circuit once read differently, the shift corners (SRA and SRAI,
SRL and SLL on their edge values), and one random program. Each exit is proven with the insecure `test` profile and
verified. The full sweep is `python3 Tests/Differential/agreement.py`."""
import random

import agreement
import corners

PROVEN_SAMPLE = {
    "JAL in the last allowed word", "jumps wrapping past 2^32", "branch wrapping below 0",
    "read buffer ending at 2^32", "read into code with nothing to read", "load from code",
    "memory edges, x0 and JALR bit 0", "division and multiplication corners", "short read, then reads return 0",
    "store into a data segment", "shift corners",
}


def test_machine_and_circuit_agree(zkvm):
    every = corners.all_corners()
    missing = PROVEN_SAMPLE - {c.name for c in every}
    assert not missing, f"the sample names corners that do not exist: {missing}"
    sample = [c for c in every if c.expect == "fault" or c.name in PROVEN_SAMPLE]
    sample += corners.random_programs(random.Random(20251206), 1)
    agreed, disagreed = agreement.sweep(zkvm, sample)
    proven = sum(1 for c in sample if c.expect == "exit")
    print(f"\nagreement: {agreed} agreed, {len(disagreed)} disagreed "
          f"({proven} proven and verified, {len(sample) - proven} refused by both)")
    assert not disagreed, "\n".join(f"{name}: {problem}" for name, problem in disagreed)
