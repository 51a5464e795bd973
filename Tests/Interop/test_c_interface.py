"""A C program links libzkvmc.so through include/zkvmc.h, proves the hello guest with the default profile,
verifies it, and sees tampered receipts and bad calls rejected with the codes the header documents."""
import subprocess
from pathlib import Path

from interop_support import CLANG, HEADER, PROGRAMS, ROOT

HERE = Path(__file__).resolve().parent


def compile_c(library_dir: Path, output: Path) -> None:
    subprocess.run(
        [
            CLANG, "-std=c11", "-Wall", "-Wextra", "-Werror", "-I", str(ROOT / "include"),
            str(HERE / "prove_verify.c"), "-o", str(output),
            "-L", str(library_dir), "-lzkvmc", f"-Wl,-rpath,{library_dir}",
        ],
        check=True,
    )


def test_c_program_proves_verifies_and_rejects(library_dir, tmp_path):
    program = tmp_path / "prove_verify"
    compile_c(library_dir, program)
    result = subprocess.run(
        [str(program), str(PROGRAMS / "hello/program.elf"), str(PROGRAMS / "hello/input.bin"), "hello, world!\n"],
        capture_output=True, text=True, timeout=900,
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout + result.stderr
    passed = {line[3:] for line in result.stdout.splitlines() if line.startswith("ok ")}
    for name in [
        "prove", "verify", "journal", "exit code", "tampered journal rejected", "tampered proof rejected",
        "garbage receipt", "truncated receipt", "wrong program id", "NULL receipt with a length",
        "NULL program with a length", "broken program", "faulting guest", "prove without image",
        "id alone is not enough", "verify without image, given the program", "test profile refused by default",
    ]:
        assert name in passed, result.stdout
    assert "0 failures" in result.stdout


def test_header_compiles_alone_in_c_and_cpp(tmp_path):
    source = tmp_path / "include_only.c"
    source.write_text('#include "zkvmc.h"\nint main(void) { return ZKVM_OK; }\n')
    for language, standard in [("c", "-std=c99"), ("c++", "-std=c++11")]:
        subprocess.run(
            [CLANG, "-x", language, standard, "-Wall", "-Wextra", "-pedantic", "-Werror", "-I", str(HEADER.parent),
             "-fsyntax-only", str(source)],
            check=True,
        )
