"""libzkvmc.so from Python through ctypes: prove fibonacci, verify it, and see every kind of bad input rejected
with its documented code, never a crash."""
import ctypes
import random
import re
import struct
import threading

import pytest

from interop_support import HEADER, example

FIBONACCI_20 = b"fib(20) mod 2^64 = 0x0000000000001a6d\n"


class Library:
    """The functions of zkvmc.h with their C signatures; each call returns (code, outputs..., message)."""

    def __init__(self, path):
        lib = ctypes.CDLL(str(path))
        p, n, out, size_out, msg = (
            ctypes.c_char_p, ctypes.c_size_t, ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t),
            ctypes.POINTER(ctypes.c_void_p),
        )
        lib.zkvm_prove_with_options.argtypes = [p, n, p, n, p, ctypes.c_uint32, out, size_out, msg]
        lib.zkvm_prove.argtypes = [p, n, p, n, out, size_out, msg]
        journal_and_code = [out, size_out, ctypes.POINTER(ctypes.c_uint32), msg]
        lib.zkvm_verify.argtypes = [p, n, p] + journal_and_code
        lib.zkvm_verify_with_program.argtypes = [p, n, p, n] + journal_and_code
        lib.zkvm_verify_with_policy.argtypes = [p, n, p, p, n, ctypes.c_double] + journal_and_code
        lib.zkvm_program_id.argtypes = [p, n, ctypes.POINTER(ctypes.c_char), msg]
        lib.zkvm_free.argtypes = [ctypes.c_void_p]
        lib.zkvm_version.restype = ctypes.c_char_p
        for name in ["zkvm_prove", "zkvm_prove_with_options", "zkvm_verify", "zkvm_verify_with_program",
                     "zkvm_verify_with_policy", "zkvm_program_id"]:
            getattr(lib, name).restype = ctypes.c_int
        self.lib = lib

    def take(self, pointer, length=None):
        """The bytes (or the message) at a pointer the library allocated, which is then freed."""
        if not pointer.value:
            return None
        data = ctypes.string_at(pointer.value, length) if length is not None else ctypes.string_at(pointer.value)
        self.lib.zkvm_free(pointer)
        return data

    def prove(self, program, input_bytes, profile=None, flags=0):
        receipt, length, error = ctypes.c_void_p(), ctypes.c_size_t(), ctypes.c_void_p()
        code = self.lib.zkvm_prove_with_options(
            program, len(program) if program is not None else 0, input_bytes, len(input_bytes),
            profile.encode() if profile else None, flags, ctypes.byref(receipt), ctypes.byref(length),
            ctypes.byref(error))
        return code, self.take(receipt, length.value), self.message(error)

    def verify(self, receipt, program_id=None, program=None, minimum_bits=100.0, receipt_length=None):
        journal, length, exit_code, error = ctypes.c_void_p(), ctypes.c_size_t(), ctypes.c_uint32(), ctypes.c_void_p()
        code = self.lib.zkvm_verify_with_policy(
            receipt, len(receipt) if receipt_length is None else receipt_length, program_id, program,
            len(program) if program is not None else 0, minimum_bits, ctypes.byref(journal), ctypes.byref(length),
            ctypes.byref(exit_code), ctypes.byref(error))
        return code, self.take(journal, length.value), exit_code.value, self.message(error)

    def program_id(self, program):
        out, error = ctypes.create_string_buffer(32), ctypes.c_void_p()
        code = self.lib.zkvm_program_id(program, len(program), out, ctypes.byref(error))
        return code, out.raw, self.message(error)

    def message(self, error):
        text = self.take(error)
        return text.decode() if text is not None else None


@pytest.fixture(scope="module")
def zkvm(library_dir):
    return Library(library_dir / "libzkvmc.so")


@pytest.fixture(scope="module")
def fibonacci(zkvm, codes):
    """fibonacci for n = 20 with the test profile: (program, its id, receipt)."""
    program = example("fibonacci")
    code, program_id, message = zkvm.program_id(program)
    assert code == codes["ZKVM_OK"] and message is None
    code, receipt, message = zkvm.prove(program, struct.pack("<I", 20), profile="test")
    assert code == codes["ZKVM_OK"], message
    return program, program_id, receipt


def test_every_declared_function_is_exported(zkvm, codes):
    declared = re.findall(r"^(?:int|void|const char \*)\s*(zkvm_\w+)\(", HEADER.read_text(), re.MULTILINE)
    assert len(declared) == 8
    for name in declared:
        assert hasattr(zkvm.lib, name), name
    errors = [value for name, value in codes.items() if name.startswith("ZKVM_ERROR_")]
    assert sorted(errors) == list(range(1, len(errors) + 1))
    assert zkvm.lib.zkvm_version().decode().startswith("zkvm receipt format 5, circuit ")


def test_prove_and_verify(zkvm, codes, fibonacci):
    program, program_id, receipt = fibonacci
    code, journal, exit_code, message = zkvm.verify(receipt, program_id=program_id, minimum_bits=0)
    assert (code, journal, exit_code, message) == (codes["ZKVM_OK"], FIBONACCI_20, 0, None)
    code, journal, _, message = zkvm.verify(receipt, program=program, minimum_bits=0)
    assert (code, journal) == (codes["ZKVM_OK"], FIBONACCI_20), message
    # The test profile's ten proven bits are refused by the default minimum.
    code, journal, _, message = zkvm.verify(receipt, program_id=program_id)
    assert code == codes["ZKVM_ERROR_PROOF_REJECTED"] and journal is None
    assert "proven bits" in message


def test_tampered_receipts_are_rejected(zkvm, codes, fibonacci):
    program, program_id, receipt = fibonacci
    at = receipt.index(FIBONACCI_20)
    changed_journal = receipt[:at + 7] + b"3" + receipt[at + 8:]
    code, journal, _, message = zkvm.verify(changed_journal, program_id=program_id, minimum_bits=0)
    assert code == codes["ZKVM_ERROR_PROOF_REJECTED"] and journal is None, message
    exit_at = at + len(FIBONACCI_20)
    changed_exit = receipt[:exit_at] + b"\x01" + receipt[exit_at + 1:]
    assert zkvm.verify(changed_exit, program_id=program_id, minimum_bits=0)[0] == codes["ZKVM_ERROR_PROOF_REJECTED"]
    changed_node = bytearray(receipt)
    changed_node[-20] ^= 1
    code, _, _, message = zkvm.verify(bytes(changed_node), program_id=program_id, minimum_bits=0)
    assert code == codes["ZKVM_ERROR_PROOF_REJECTED"], message


def test_garbage_and_truncated_receipts_are_malformed(zkvm, codes, fibonacci):
    _, program_id, receipt = fibonacci
    rng = random.Random(2026)
    inputs = [b"", b"ZKVMRCT", b"ZKVMRCT\0\x09\x00", b"\x7fELF"] + [
        rng.randbytes(rng.randrange(1, 400)) for _ in range(200)
    ] + [receipt[:length] for length in sorted(rng.sample(range(len(receipt)), 40))]
    for data in inputs:
        code, journal, _, message = zkvm.verify(data, program_id=program_id, minimum_bits=0)
        assert code == codes["ZKVM_ERROR_RECEIPT"] and journal is None and message, (data[:16], code, message)


def test_wrong_program_and_bad_arguments(zkvm, codes, fibonacci):
    program, program_id, receipt = fibonacci
    hello = example("hello")
    _, hello_id, _ = zkvm.program_id(hello)
    assert zkvm.verify(receipt, program_id=hello_id, minimum_bits=0)[0] == codes["ZKVM_ERROR_PROGRAM_MISMATCH"]
    assert zkvm.verify(receipt, program=hello, minimum_bits=0)[0] == codes["ZKVM_ERROR_PROGRAM_MISMATCH"]
    # An id and a program that disagree, no program at all, a NULL receipt with a length, a NaN minimum.
    code, _, _, message = zkvm.verify(receipt, program_id=hello_id, program=program, minimum_bits=0)
    assert code == codes["ZKVM_ERROR_ARGUMENT"] and "program_id" in message
    assert zkvm.verify(receipt, minimum_bits=0)[0] == codes["ZKVM_ERROR_ARGUMENT"]
    assert zkvm.verify(None, program_id=program_id, receipt_length=64)[0] == codes["ZKVM_ERROR_ARGUMENT"]
    assert zkvm.verify(receipt, program_id=program_id, minimum_bits=float("nan"))[0] == codes["ZKVM_ERROR_ARGUMENT"]
    code, receipt_out, message = zkvm.prove(program, b"", profile="insecure")
    assert code == codes["ZKVM_ERROR_ARGUMENT"] and receipt_out is None and "unknown profile" in message
    assert zkvm.prove(b"\x7fELF\x01", b"", profile="test")[0] == codes["ZKVM_ERROR_PROGRAM"]
    # ecall with a7 = 0: an unknown system call.
    assert zkvm.prove(bytes([0x73, 0, 0, 0]), b"", profile="test")[0] == codes["ZKVM_ERROR_EXECUTION"]


def test_receipt_without_image(zkvm, codes, fibonacci):
    program, program_id, with_image = fibonacci
    code, receipt, message = zkvm.prove(program, struct.pack("<I", 20), profile="test",
                                        flags=codes["ZKVM_PROVE_NO_IMAGE"])
    assert code == codes["ZKVM_OK"], message
    assert program_id in receipt and program_id not in with_image
    code, journal, _, message = zkvm.verify(receipt, program_id=program_id, minimum_bits=0)
    assert code == codes["ZKVM_ERROR_PROGRAM_REQUIRED"] and journal is None
    assert "image" in message
    code, journal, exit_code, message = zkvm.verify(receipt, program=program, minimum_bits=0)
    assert (code, journal, exit_code) == (codes["ZKVM_OK"], FIBONACCI_20, 0), message
    assert zkvm.verify(receipt, program=example("hello"), minimum_bits=0)[0] == codes["ZKVM_ERROR_PROGRAM_MISMATCH"]


def test_concurrent_verification(zkvm, codes, fibonacci):
    program, program_id, receipt = fibonacci
    results = []

    def run():
        results.append(zkvm.verify(receipt, program_id=program_id, minimum_bits=0)[:2])

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [(codes["ZKVM_OK"], FIBONACCI_20)] * 4
