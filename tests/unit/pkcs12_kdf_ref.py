#!/usr/bin/env python3
"""Straightforward reference of the RFC 7292 appendix B.2 KDF, used to make test_kdf.c constants.

Written from the RFC text only (hashlib for H, Python integers for the step 6 addition), so it
shares no code or shortcuts with lib/mxtls_kdf.c. Run it to print the long-password vectors that
test_kdf.c hard-codes; `--selftest` checks it against the published smeg/queeg SHA-1 vectors.
"""
import hashlib
import sys

# (hashlib name, u = digest bytes, v = block bytes)
HASHES = {
    "sha1": (20, 64),
    "sha224": (28, 64),
    "sha256": (32, 64),
    "sha384": (48, 128),
    "sha512": (64, 128),
}


def stretch(data, v):
    """Concatenate copies of data to v * ceil(len/v) bytes, the last copy truncated."""
    if not data:
        return b""
    n = v * ((len(data) + v - 1) // v)
    return (data * (n // len(data) + 1))[:n]


def pkcs12_kdf(hname, ident, password, salt, iterations, n):
    """password is the already-encoded BMPString (with its 00 00), or b"" for no password."""
    u, v = HASHES[hname]
    D = bytes([ident]) * v                       # step 1
    I = stretch(salt, v) + stretch(password, v)  # steps 2-4
    c = (n + u - 1) // u                         # step 5
    out = b""
    for i in range(c):                           # step 6
        A = hashlib.new(hname, D + I).digest()
        for _ in range(iterations - 1):
            A = hashlib.new(hname, A).digest()
        out += A
        if i == c - 1:
            break
        B = (A * (v // u + 1))[:v]
        b1 = int.from_bytes(B, "big") + 1
        blocks = [I[j:j + v] for j in range(0, len(I), v)]
        I = b"".join(((int.from_bytes(Ij, "big") + b1) % (1 << (8 * v))).to_bytes(v, "big")
                     for Ij in blocks)
    return out[:n]                               # steps 7-8


def bmp(text):
    return text.encode("utf-16-be") + b"\x00\x00"


def long_password():
    """The 1000-byte BMPString of test_kdf.c: 499 characters cycling over 0-9a-z, plus 00 00."""
    alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
    return bmp("".join(alphabet[i % len(alphabet)] for i in range(499)))


# The long-password cases test_kdf.c checks: (hash, id, iterations, output length).
LONG_SALT = bytes(range(1, 9))
LONG_CASES = [
    ("sha1", 1, 2048, 70),
    ("sha256", 1, 2048, 70),
    ("sha512", 3, 2048, 150),
]


def selftest():
    # drh-consultancy test.txt vectors (OpenSSL PKCS#12 FAQ; also in Bouncy Castle's
    # PKCS12Test and Crypto++'s validat1.cpp).
    smeg, queeg = bmp("smeg"), bmp("queeg")
    vectors = [
        (1, 1, smeg, "0A58CF64530D823F", "8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3"),
        (2, 1, smeg, "0A58CF64530D823F", "79993DFE048D3B76"),
        (3, 1, smeg, "3D83C0E4546AC140", "8D967D88F6CAA9D714800AB3D48051D63F73A312"),
        (1, 1000, queeg, "05DEC959ACFF72F7", "ED2034E36328830FF09DF1E1A07DD357185DAC0D4F9EB3D4"),
        (3, 1000, queeg, "263216FCC2FAB31C", "5EC4C7A80DF652294C3925B6489A7AB857C83476"),
    ]
    for ident, it, pw, salt, want in vectors:
        got = pkcs12_kdf("sha1", ident, pw, bytes.fromhex(salt), it, len(want) // 2)
        assert got.hex().upper() == want, (ident, it, salt, got.hex())
    assert len(long_password()) == 1000
    print("selftest ok")


def main():
    if "--selftest" in sys.argv[1:]:
        selftest()
        return
    pw = long_password()
    for hname, ident, it, n in LONG_CASES:
        out = pkcs12_kdf(hname, ident, pw, LONG_SALT, it, n)
        print(f"{hname} id={ident} iter={it} n={n} salt={LONG_SALT.hex()}")
        print(out.hex())


if __name__ == "__main__":
    main()
