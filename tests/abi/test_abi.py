#!/usr/bin/env python3
"""What an FFI binding relies on, checked against the header it would otherwise hard-code.

usage: test_abi.py LIBMXTLS_SONAME_FILE INCLUDE_DIR   (e.g. build/libmxtls.so.0 include)

- every integer macro and enum value of mxtls/mxtls.h comes back from mxtls_constant() with
  the header's value (bindings read them at load time instead of copying them);
- mxtls_no_identity(), mxtls_abi_version() (= the SONAME's number) and mxtls_version();
- every code, warning and event kind up to its _MAX has a name, and the next has none;
- every function the header declares is exported, and the library exports nothing the
  header does not declare.
Prints 'N passed, N failed'; exit 1 on any failure.
"""
import ctypes
import os
import re
import subprocess
import sys

results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f"\n     {detail}"))


def header_constants(text):
    """name -> value of every integer #define and enum member."""
    out = {}
    for m in re.finditer(r"^#define (MXTLS_[A-Z0-9_]+)[ \t]+([^\n]+)$", text, re.M):
        name, expr = m.group(1), m.group(2).split("/*")[0].strip()
        if name in ("MXTLS_EXTERN", "MXTLS_WARN_UNUSED", "MXTLS_NO_IDENTITY") or expr.startswith('"'):
            continue
        expr = re.sub(r"(?<=[0-9a-fA-F])u\b", "", expr)  # 0x1u, 1024u
        out[name] = eval(expr, {"__builtins__": {}})  # digits, hex, * and parentheses only
    for m in re.finditer(r"^\s+(MXTLS_[A-Z0-9_]+) = (-?\w+)", text, re.M):
        out[m.group(1)] = int(m.group(2), 0)
    return out


def declared_functions(text):
    return set(re.findall(r"\b(mxtls_[a-z0-9_]+)\s*\(", " ".join(
        d for d in re.findall(r"MXTLS_EXTERN[^;]*;", text, re.S))))


def main():
    lib_path, include = sys.argv[1], sys.argv[2]
    text = open(os.path.join(include, "mxtls", "mxtls.h")).read()
    lib = ctypes.CDLL(lib_path)

    consts = header_constants(text)
    check("the header has constants to check", len(consts) > 40, str(len(consts)))
    lib.mxtls_constant.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int64)]
    lib.mxtls_constant.restype = ctypes.c_int
    wrong = []
    for name, want in sorted(consts.items()):
        v = ctypes.c_int64(-12345)
        rc = lib.mxtls_constant(name.encode(), ctypes.byref(v))
        if rc != 0 or v.value != want:
            wrong.append(f"{name}: rc={rc} value={v.value} header={want}")
    check(f"mxtls_constant() knows all {len(consts)} constants of the header", not wrong, "; ".join(wrong))
    v = ctypes.c_int64(7)
    check("mxtls_constant() refuses an unknown name", lib.mxtls_constant(b"MXTLS_NOPE", ctypes.byref(v)) == -1
          and v.value == 7)
    check("mxtls_constant() refuses NULL", lib.mxtls_constant(None, ctypes.byref(v)) == -1)

    lib.mxtls_no_identity.restype = ctypes.c_size_t
    check("mxtls_no_identity() is SIZE_MAX", lib.mxtls_no_identity() == 2 ** (8 * ctypes.sizeof(ctypes.c_size_t)) - 1)
    dyn = subprocess.run(["objdump", "-p", lib_path], capture_output=True, text=True, check=True).stdout
    soname = re.search(r"SONAME\s+libmxtls\.so\.(\d+)\s", dyn)
    check("mxtls_abi_version() is the SONAME's number and MXTLS_ABI_VERSION",
          soname is not None and lib.mxtls_abi_version() == int(soname.group(1)) == consts["MXTLS_ABI_VERSION"],
          f"abi={lib.mxtls_abi_version()} soname={soname and soname.group(0)}")
    lib.mxtls_version.restype = ctypes.c_char_p
    want = f"{consts['MXTLS_VERSION_MAJOR']}.{consts['MXTLS_VERSION_MINOR']}.{consts['MXTLS_VERSION_PATCH']}"
    check("mxtls_version() is MAJOR.MINOR.PATCH of the header", lib.mxtls_version().decode() == want,
          f"{lib.mxtls_version()} vs {want}")

    for fn, maxname in (("mxtls_error_name", "MXTLS_ERR_MAX"), ("mxtls_warning_name", "MXTLS_WARN_MAX"),
                        ("mxtls_event_name", "MXTLS_EVENT_MAX")):
        f = getattr(lib, fn)
        f.argtypes, f.restype = [ctypes.c_int], ctypes.c_char_p
        top = consts[maxname]
        named = all(f(k) != b"unknown" for k in range(1, top + 1))
        check(f"{fn}: 1..{maxname} ({top}) named, {top + 1} unknown", named and f(top + 1) == b"unknown")

    declared = declared_functions(text)
    missing = sorted(n for n in declared if not hasattr(lib, n))
    check(f"all {len(declared)} declared functions are exported", not missing, ", ".join(missing))
    nm = subprocess.run(["nm", "-D", "--defined-only", lib_path], capture_output=True, text=True, check=True)
    # "mxtls_ctx_new@@MXTLS_0": the symbol's name, without its version node.
    exported = {l.split()[-1].split("@")[0] for l in nm.stdout.splitlines()
                if l.split()[-1].startswith("mxtls_")}
    extra = sorted(exported - declared)
    check("the library exports nothing the header does not declare", not extra, ", ".join(extra))

    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
