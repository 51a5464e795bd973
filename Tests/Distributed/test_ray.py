"""Proving one execution in steps spread over processes: `zkvm segment` by hand, then Scripts/prove-ray on a local
Ray instance of two worker processes, once as is and once with a worker killed in the middle of a task.

The run is the fibonacci example on 150 (1,747 cycles) in the test profile with segments of 2^10 rows: two segments,
the last proven with the memory table, so two proofs joined by the global bus."""
import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROGRAM = ROOT / "Vectors/programs/fibonacci/program.elf"
OPTIONS = ["--profile", "test", "--segment-log-rows", "10"]
SEGMENTS = 2


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("segments")
    (directory / "input.bin").write_bytes((150).to_bytes(4, "little"))
    return directory


def zkvm_step(zkvm: str, work: Path, step: str, *arguments: str, check: bool = True,
              options: list[str] = OPTIONS) -> subprocess.CompletedProcess:
    command = [zkvm, "segment", step, str(PROGRAM), "--input", "input.bin", *options, "--secrets", "secrets",
               *arguments]
    done = subprocess.run(command, cwd=work, capture_output=True, text=True)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def refused(done: subprocess.CompletedProcess, *words: str) -> str:
    """The one-line error of a step that must fail, checked to name each of `words`."""
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def verify(zkvm: str, receipt: Path) -> str:
    done = subprocess.run([zkvm, "verify", str(receipt), "--program", str(PROGRAM), "--min-bits", "0"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


# MARK: - zkvm segment, step by step


@pytest.fixture(scope="module")
def by_hand(zkvm, work) -> Path:
    """Every step run by hand: plan, commit each proof, join, prove each proof, finish."""
    zkvm_step(zkvm, work, "plan", "-o", "plan.json")
    assert stat.S_IMODE((work / "secrets").stat().st_mode) == 0o600
    proofs = SEGMENTS
    for i in range(proofs):
        zkvm_step(zkvm, work, "commit", "--plan", "plan.json", "--index", str(i), "-o", f"root-{i}.bin")
        assert (work / f"root-{i}.bin").stat().st_size == 26
    zkvm_step(zkvm, work, "join", "--plan", "plan.json", "--roots", *[f"root-{i}.bin" for i in range(proofs)],
              "-o", "context.bin")
    for i in range(proofs):
        zkvm_step(zkvm, work, "prove", "--plan", "plan.json", "--index", str(i), "--context", "context.bin",
                  "-o", f"proof-{i}.bin")
    zkvm_step(zkvm, work, "finish", "--plan", "plan.json", "--proofs", *[f"proof-{i}.bin" for i in range(proofs)],
              "-o", "receipt.bin")
    return work


def test_steps_by_hand_make_a_receipt_zkvm_verify_accepts(zkvm, by_hand):
    plan = json.loads((by_hand / "plan.json").read_text())
    assert plan["segment_count"] == SEGMENTS and plan["proof_count"] == SEGMENTS and plan["log_rows"] == 10
    assert plan["options"] == {"profile": "test", "segment_log_rows": 10, "max_cycles": plan["options"]["max_cycles"],
                               "include_image": True}
    assert "fib(150) mod 2^64" in verify(zkvm, by_hand / "receipt.bin")


def test_one_segment_by_hand_is_proven_alone(zkvm, tmp_path):
    """One segment of 2^12 rows: its proof commits the boundary columns with the main ones, so the root and context
    of the commit and join steps go unused, and finish still makes a receipt zkvm verify accepts; a corrupted proof
    is named."""
    (tmp_path / "input.bin").write_bytes((150).to_bytes(4, "little"))
    options = ["--profile", "test", "--segment-log-rows", "12"]

    def step(name: str, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
        return zkvm_step(zkvm, tmp_path, name, *arguments, check=check, options=options)

    step("plan", "-o", "plan.json")
    assert json.loads((tmp_path / "plan.json").read_text())["segment_count"] == 1
    step("commit", "--plan", "plan.json", "--index", "0", "-o", "root-0.bin")
    step("join", "--plan", "plan.json", "--roots", "root-0.bin", "-o", "context.bin")
    step("prove", "--plan", "plan.json", "--index", "0", "--context", "context.bin", "-o", "proof-0.bin")
    step("finish", "--plan", "plan.json", "--proofs", "proof-0.bin", "-o", "receipt.bin")
    assert "fib(150) mod 2^64" in verify(zkvm, tmp_path / "receipt.bin")
    data = bytearray((tmp_path / "proof-0.bin").read_bytes())
    data[len(data) // 2] ^= 0x01
    (tmp_path / "bad-0.bin").write_bytes(bytes(data))
    refused(step("finish", "--plan", "plan.json", "--proofs", "bad-0.bin", "-o", "bad.bin", check=False),
            "proof 0 (bad-0.bin)")
    assert not (tmp_path / "bad.bin").exists()


def test_finish_names_a_corrupted_proof(zkvm, by_hand):
    proofs = [f"proof-{i}.bin" for i in range(SEGMENTS)]
    data = bytearray((by_hand / "proof-1.bin").read_bytes())
    for offset in (len(data) // 2, len(data) // 3):
        corrupted = bytearray(data)
        corrupted[offset] ^= 0x01
        (by_hand / "bad-1.bin").write_bytes(bytes(corrupted))
        done = zkvm_step(zkvm, by_hand, "finish", "--plan", "plan.json", "--context", "context.bin", "--proofs",
                         proofs[0], "bad-1.bin", "-o", "bad-receipt.bin", check=False)
        refused(done, "proof 1 (bad-1.bin)")
        assert not (by_hand / "bad-receipt.bin").exists()
    # A proof in another's place, and a proof file cut short.
    done = zkvm_step(zkvm, by_hand, "finish", "--proofs", proofs[1], proofs[0], "-o", "bad-receipt.bin",
                     check=False)
    refused(done, "every proof is rejected", "pass --context")
    done = zkvm_step(zkvm, by_hand, "finish", "--context", "context.bin", "--proofs", proofs[1], proofs[0],
                     "-o", "bad-receipt.bin", check=False)
    refused(done, "proof 0 (proof-1.bin) is rejected")
    (by_hand / "short-1.bin").write_bytes((by_hand / proofs[1]).read_bytes()[:1000])
    done = zkvm_step(zkvm, by_hand, "finish", "--proofs", proofs[0], "short-1.bin", "-o", "bad-receipt.bin",
                     check=False)
    refused(done, "proof 1 (short-1.bin) does not decode")


def test_steps_refuse_what_is_not_the_plan(zkvm, by_hand):
    work = by_hand
    refused(zkvm_step(zkvm, work, "commit", "--index", "2", "-o", "x.bin", check=False), "--index 2 is out of range")
    refused(zkvm_step(zkvm, work, "commit", "--index", "0", "-o", "root-0.bin", check=False), "already exists")
    done = subprocess.run([zkvm, "segment", "commit", str(PROGRAM), "--input", "input.bin", "--profile", "fast",
                           "--segment-log-rows", "10", "--secrets", "secrets", "--plan", "plan.json", "--index", "0",
                           "-o", "x.bin"], cwd=work, capture_output=True, text=True)
    refused(done, "--profile fast differs from the plan's test")
    (work / "other-input.bin").write_bytes((151).to_bytes(4, "little"))
    done = subprocess.run([zkvm, "segment", "commit", str(PROGRAM), "--input", "other-input.bin", *OPTIONS,
                           "--secrets", "secrets", "--plan", "plan.json", "--index", "0", "-o", "x.bin"], cwd=work,
                          capture_output=True, text=True)
    refused(done, "is not the plan's")
    refused(zkvm_step(zkvm, work, "join", "--roots", "root-0.bin", "-o", "x.bin", check=False),
            "1 roots given", "2 proofs")
    refused(zkvm_step(zkvm, work, "join", "--roots", "root-0.bin", "proof-1.bin", "-o", "x.bin",
                      check=False), "root file proof-1.bin", "more than the 26")
    refused(zkvm_step(zkvm, work, "prove", "--index", "0", "--context", "root-0.bin", "-o", "x.bin", check=False),
            "context file root-0.bin")
    refused(zkvm_step(zkvm, work, "prove", "--index", "0", "--context", "missing.bin", "-o", "x.bin", check=False),
            "missing.bin: no such file")
    (work / "short-secrets").write_bytes(b"\0" * 10)
    os.chmod(work / "short-secrets", 0o600)
    done = subprocess.run([zkvm, "segment", "commit", str(PROGRAM), "--input", "input.bin", *OPTIONS,
                           "--secrets", "short-secrets", "--index", "0", "-o", "x.bin"], cwd=work,
                          capture_output=True, text=True)
    refused(done, "10 bytes, not 64")
    shutil.copy(work / "secrets", work / "open-secrets")
    os.chmod(work / "open-secrets", 0o644)
    done = subprocess.run([zkvm, "segment", "commit", str(PROGRAM), "--input", "input.bin", *OPTIONS,
                           "--secrets", "open-secrets", "--index", "0", "-o", "x.bin"], cwd=work,
                          capture_output=True, text=True)
    refused(done, "may be read by others")
    assert not (work / "x.bin").exists()


# MARK: - Scripts/prove-ray on a local Ray instance

def prove_ray(zkvm: str, work: Path, output: str, environment: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, str(ROOT / "Scripts/prove-ray"), str(PROGRAM), "--input", "input.bin", "-o", output,
         *OPTIONS, "--workers", "2"],
        cwd=work, capture_output=True, text=True, env={**os.environ, "ZKVM_BIN": zkvm, **(environment or {})},
        timeout=600)
    assert done.returncode == 0, done.stderr
    return done


def test_prove_ray_with_two_workers(zkvm, work):
    pytest.importorskip("ray")
    done = prove_ray(zkvm, work, "ray-receipt.bin")
    assert "2 proofs" in done.stdout
    assert "fib(150) mod 2^64" in verify(zkvm, work / "ray-receipt.bin")


def test_prove_ray_survives_a_killed_worker(zkvm, work, tmp_path):
    """The zkvm the tasks run is a wrapper that, the first time it is asked to prove proof 1, kills the Ray worker
    process running it (its parent) and leaves a marker; Ray runs the lost task again on another worker."""
    pytest.importorskip("ray")
    marker = tmp_path / "killed"
    wrapper = tmp_path / "zkvm"
    wrapper.write_text(
        "#!/bin/sh\n"
        'if [ "$2" = prove ] && echo " $* " | grep -q " --index 1 " && [ ! -e "$MARKER" ]; then\n'
        '    touch "$MARKER"\n'
        '    "$REAL_ZKVM" "$@" &\n'
        "    sleep 1\n"
        "    kill -9 $! $PPID\n"
        '    rm -rf "$PWD"\n'  # the task's directory, which its killed worker would have removed
        "    exit 1\n"
        "fi\n"
        'exec "$REAL_ZKVM" "$@"\n')
    wrapper.chmod(0o755)
    prove_ray(str(wrapper), work, "killed-receipt.bin", {"MARKER": str(marker), "REAL_ZKVM": zkvm})
    assert marker.exists()
    assert "fib(150) mod 2^64" in verify(zkvm, work / "killed-receipt.bin")
