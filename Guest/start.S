/*
 * Program entry: both zkvm and qemu-riscv32 start here with sp set (zkvm: 0x80000000; qemu: its own stack) and
 * nothing else the program can rely on. Sets up gp for linker relaxation, calls main() and passes its return
 * value to exit.
 */
    .section .text._start, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    andi sp, sp, -16
    call main
    li a7, 93
    ecall
1:  j 1b
    .size _start, . - _start
