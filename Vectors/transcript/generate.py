#!/usr/bin/env python3
"""Fiat-Shamir transcript known answers, following docs/transcript.md byte for byte.

Independent of the Swift code: only hashlib.blake2b and integers.

Usage: python3 Vectors/transcript/generate.py > Vectors/transcript/transcript.txt
"""
import hashlib

P = 2**251 + 17 * 2**192 + 1
DOMAIN, BYTES, ELEMENTS, DIGEST = 0x10, 0x11, 0x12, 0x13
CHALLENGE, CHALLENGE_OUTPUT, QUERIES, QUERY_BLOCK = 0x14, 0x15, 0x16, 0x17
POW, POW_NONCE = 0x18, 0x19


def h(data, size=32):
    return hashlib.blake2b(data, digest_size=size).digest()


def u64(n):
    return n.to_bytes(8, "little")


def lp(data):
    return u64(len(data)) + data


class Transcript:
    def __init__(self, domain):
        self.state = h(bytes([DOMAIN]) + lp(domain.encode()))

    def _step(self, tag, label, body=b""):
        self.state = h(bytes([tag]) + self.state + lp(label.encode()) + body)

    def absorb_bytes(self, label, data):
        self._step(BYTES, label, lp(data))

    def absorb_integer(self, label, value):
        self.absorb_bytes(label, u64(value))

    def absorb_digest(self, label, digest):
        self._step(DIGEST, label, digest)

    def absorb_elements(self, label, elements):
        self._step(ELEMENTS, label, u64(len(elements)) + b"".join(x.to_bytes(32, "little") for x in elements))

    def challenge(self, label):
        self._step(CHALLENGE, label)
        return int.from_bytes(h(bytes([CHALLENGE_OUTPUT]) + self.state, 64), "little") % P

    def queries(self, label, count, bound):
        self._step(QUERIES, label, u64(count) + u64(bound))
        limit = 2**64 - (2**64 % bound)
        out, block = [], 0
        while len(out) < count:
            data = h(bytes([QUERY_BLOCK]) + self.state + u64(block), 64)
            for t in range(8):
                w = int.from_bytes(data[8 * t : 8 * t + 8], "little")
                if len(out) < count and w < limit:
                    out.append(w % bound)
            block += 1
        return out

    def pow_valid(self, bits, nonce):
        d = h(bytes([POW]) + self.state + bytes([bits]) + u64(nonce))
        return int.from_bytes(d[:8], "big") >> (64 - bits) == 0 if bits > 0 else True

    def grind(self, bits):
        nonce = 0
        while not self.pow_valid(bits, nonce):
            nonce += 1
        self.state = h(bytes([POW_NONCE]) + self.state + bytes([bits]) + u64(nonce))
        return nonce


def label_token(label):
    return label if label else '""'


def script_one(lines):
    t = Transcript("zkvm-test-v1")
    lines.append("domain zkvm-test-v1")
    lines.append(f"state {t.state.hex()}")

    def op(text):
        lines.append(text)
        lines.append(f"state {t.state.hex()}")

    t.absorb_integer("version", 1)
    op("absorb-integer version 1")
    circuit = h(b"example circuit")
    t.absorb_digest("circuit", circuit)
    op(f"absorb-digest circuit {circuit.hex()}")
    t.absorb_bytes("", b"")
    op('absorb-bytes "" -')
    data = bytes(range(200))
    t.absorb_bytes("program", data)
    op(f"absorb-bytes program {data.hex()}")
    elements = [0, 1, P - 1, 2**250 + 12345, 7]
    t.absorb_elements("public", elements)
    op("absorb-elements public " + " ".join(str(x) for x in elements))
    t.absorb_elements("nothing", [])
    op("absorb-elements nothing")
    c = t.challenge("alpha")
    op(f"challenge alpha {c}")
    c = t.challenge("alpha")
    op(f"challenge alpha {c}")
    c = t.challenge("βeta")
    op(f"challenge βeta {c}")
    t.absorb_elements("ood", [c])
    op(f"absorb-elements ood {c}")
    for count, bound in [(5, 1), (8, 2), (10, 3), (12, 1000), (9, 2**20), (20, 3 * 2**61), (0, 17)]:
        qs = t.queries("queries", count, bound)
        op(" ".join(["queries", "queries", str(count), str(bound)] + [str(q) for q in qs]))
    for bits in [0, 8, 12, 16]:
        if bits > 0:
            # The nonces right around the smallest valid one (which grind finds), all but it invalid.
            smallest = Transcript.__new__(Transcript)
            smallest.state = t.state
            found = smallest.grind(bits)
            for nonce in [found - 1, found + 1, found + 2]:
                if not t.pow_valid(bits, nonce):
                    lines.append(f"pow-invalid {bits} {nonce}")
        nonce = t.grind(bits)
        op(f"grind {bits} {nonce}")
    c = t.challenge("final")
    op(f"challenge final {c}")


def script_two(lines):
    t = Transcript("")
    lines.append('domain ""')
    lines.append(f"state {t.state.hex()}")
    # Re-splitting the same bytes differently must give different states: "ab"+"c" vs "a"+"bc".
    t.absorb_bytes("x", b"ab")
    lines.append(f"absorb-bytes x {b'ab'.hex()}")
    lines.append(f"state {t.state.hex()}")
    t.absorb_bytes("x", b"c")
    lines.append(f"absorb-bytes x {b'c'.hex()}")
    lines.append(f"state {t.state.hex()}")
    c = t.challenge("c")
    lines.append(f"challenge c {c}")
    lines.append(f"state {t.state.hex()}")


def main():
    lines = []
    script_one(lines)
    script_two(lines)
    checks = sum(1 for line in lines if not line.startswith("domain"))
    print("# Fiat-Shamir transcript known answers (docs/transcript.md): scripts of absorptions and draws.")
    print("# Each operation line is followed by the 32-byte state after it ('state <hex>'), except pow-invalid, a")
    print("# check that changes nothing. 'domain' starts a new transcript; '\"\"' is the empty label; '-' empty bytes.")
    print("# Operations: absorb-integer <label> <u64>, absorb-digest <label> <hex>, absorb-bytes <label> <hex>,")
    print("# absorb-elements <label> <decimal>..., challenge <label> <expected decimal>,")
    print("# queries <label> <count> <bound> <expected indices>..., pow-invalid <bits> <nonce> (must be rejected),")
    print("# grind <bits> <smallest valid nonce> (then absorbed).")
    print("# Generated by: python3 Vectors/transcript/generate.py > Vectors/transcript/transcript.txt")
    print(f"# Count: 2 scripts, {checks} checked lines")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
