#!/usr/bin/env bash
# Builds a zkvm guest program: C sources in, a static RV32IM ELF out, runnable by `zkvm run` and qemu-riscv32.
#
#   Guest/build.sh -o program.elf main.c [more.c ...] [-O2|-Os|-DNAME=VALUE|-Ipath ...]
#
# Uses the Swift toolchain's clang and ld.lld (override with CLANG= and LLD=). No libc: the program gets
# Guest/zkvm.h, the start file and the runtime in this folder.
set -euo pipefail

guest="$(cd "$(dirname "$0")" && pwd)"
clang="${CLANG:-/opt/swift/usr/bin/clang}"
lld="${LLD:-/opt/swift/usr/bin/ld.lld}"

output=""
sources=()
flags=()
while [ $# -gt 0 ]; do
    case "$1" in
        -o) output="$2"; shift 2 ;;
        -*) flags+=("$1"); shift ;;
        *) sources+=("$1"); shift ;;
    esac
done
if [ -z "$output" ] || [ ${#sources[@]} -eq 0 ]; then
    echo "usage: $0 -o program.elf main.c [more.c ...] [compiler flags]" >&2
    exit 2
fi

cflags=(--target=riscv32-unknown-elf -march=rv32im -mabi=ilp32 -O2 -std=c11 -Wall -Wextra
    -ffreestanding -nostdlib -fno-pic -fno-asynchronous-unwind-tables -fno-unwind-tables
    -ffunction-sections -fdata-sections -I"$guest")

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
objects=()
for source in "$guest/start.S" "$guest/runtime.c" "${sources[@]}"; do
    object="$work/${#objects[@]}.o"
    "$clang" "${cflags[@]}" "${flags[@]+"${flags[@]}"}" -c "$source" -o "$object"
    objects+=("$object")
done
"$lld" -static --gc-sections -T "$guest/guest.ld" -o "$output" "${objects[@]}"
