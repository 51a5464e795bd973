#!/usr/bin/env bash
# Builds a zkvm guest program: C and Swift sources in, a static RV32IM ELF out, runnable by `zkvm run` and
# qemu-riscv32.
#
#   Guest/build.sh -o program.elf main.c [more.c ...] [-O2|-Os|-DNAME=VALUE|-Ipath ...]
#   Guest/build.sh -o program.elf main.swift [more.swift ...] [more.c ... header.h ...] [-Xswiftc FLAG ...]
#
# Uses the Swift toolchain's clang, swiftc and ld.lld (override with CLANG=, SWIFTC= and LLD=). No libc: the
# program gets Guest/zkvm.h, the start file and the runtime in this folder. Other flags go to clang;
# `-Xswiftc FLAG` passes FLAG to swiftc.
#
# Swift sources are compiled together, in Embedded Swift, as one module with Guest/Swift/ZKVM.swift (the `ZKVM`
# verbs) and a bridging header that includes Guest/zkvm.h and every .h given (so Swift calls the C sources'
# functions), then linked with Guest/Swift/runtime.c (heap, print, atomics, 64-bit helpers),
# Guest/Swift/softfloat.c (Double in software) and Guest/Swift/unicode.c (String's Unicode tables, as stops). A
# file named main.swift holds top-level code unless some source declares `@main`.
set -euo pipefail

guest="$(cd "$(dirname "$0")" && pwd)"
clang="${CLANG:-/opt/swift/usr/bin/clang}"
swiftc="${SWIFTC:-/opt/swift/usr/bin/swiftc}"
lld="${LLD:-/opt/swift/usr/bin/ld.lld}"

output=""
sources=()
swift_sources=()
headers=()
flags=()
swift_flags=()
while [ $# -gt 0 ]; do
    case "$1" in
        -o) output="$2"; shift 2 ;;
        -Xswiftc)
            if [ $# -lt 2 ]; then echo "$0: -Xswiftc needs a flag after it" >&2; exit 2; fi
            swift_flags+=("$2"); shift 2 ;;
        -*) flags+=("$1"); shift ;;
        *.swift) swift_sources+=("$1"); shift ;;
        *.h) headers+=("$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"); shift ;;
        *) sources+=("$1"); shift ;;
    esac
done
if [ -z "$output" ] || [ $((${#sources[@]} + ${#swift_sources[@]})) -eq 0 ]; then
    echo "usage: $0 -o program.elf main.c|main.swift [more sources ...] [compiler flags] [-Xswiftc FLAG ...]" >&2
    exit 2
fi

cflags=(--target=riscv32-unknown-elf -march=rv32im -mabi=ilp32 -O2 -std=c11 -Wall -Wextra
    -ffreestanding -nostdlib -fno-pic -fno-asynchronous-unwind-tables -fno-unwind-tables
    -ffunction-sections -fdata-sections -I"$guest")

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
objects=()
for source in "$guest/start.S" "$guest/runtime.c" "${sources[@]+"${sources[@]}"}"; do
    object="$work/${#objects[@]}.o"
    "$clang" "${cflags[@]}" "${flags[@]+"${flags[@]}"}" -c "$source" -o "$object"
    objects+=("$object")
done

if [ ${#swift_sources[@]} -gt 0 ]; then
    bridging="$work/bridging.h"
    for header in "$guest/zkvm.h" "${headers[@]+"${headers[@]}"}"; do
        printf '#include "%s"\n' "$header"
    done > "$bridging"
    # Traps call zkvm_swift_trap, which names the pc in the log; no stack protector (nothing to protect against
    # inside a proof, and it costs cycles); one section per function so that --gc-sections drops what is unused.
    swiftflags=(-target riscv32-none-none-eabi -enable-experimental-feature Embedded -wmo -Osize
        -Xcc -march=rv32im -Xcc -mabi=ilp32 -Xcc -ffreestanding
        -Xfrontend -disable-stack-protector -Xfrontend -function-sections
        -Xfrontend -trap-function -Xfrontend zkvm_swift_trap
        -import-bridging-header "$bridging" -module-name GuestMain)
    if grep -qE '^[[:space:]]*@main\b' "${swift_sources[@]}"; then
        swiftflags+=(-parse-as-library)
    fi
    # Debug information (for `zkvm run --profile` and llvm-objdump -l) when clang is asked for it.
    for flag in "${flags[@]+"${flags[@]}"}"; do
        case "$flag" in
            -g | -g[0-9]) swiftflags+=(-g) ;;
            -gdwarf-[0-9]) swiftflags+=(-g "-dwarf-version=${flag#-gdwarf-}") ;;
        esac
    done
    "$swiftc" "${swiftflags[@]}" "${swift_flags[@]+"${swift_flags[@]}"}" \
        -c "$guest/Swift/ZKVM.swift" "${swift_sources[@]}" -o "$work/swift.o"
    objects+=("$work/swift.o")
    # The runtime at -O2 whatever the flags say: at -Os clang would call the 64-bit shifts it defines.
    "$clang" "${cflags[@]}" "${flags[@]+"${flags[@]}"}" -O2 -c "$guest/Swift/runtime.c" -o "$work/swift-runtime.o"
    "$clang" "${cflags[@]}" -c "$guest/Swift/softfloat.c" -o "$work/softfloat.o"
    "$clang" "${cflags[@]}" -c "$guest/Swift/unicode.c" -o "$work/unicode.o"
    objects+=("$work/swift-runtime.o" "$work/softfloat.o" "$work/unicode.o")
fi
"$lld" -static --gc-sections -T "$guest/guest.ld" -o "$output" "${objects[@]}"
