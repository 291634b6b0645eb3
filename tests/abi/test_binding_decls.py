#!/usr/bin/env python3
"""Every function a language binding declares matches the C header's prototype.

usage: test_binding_decls.py INCLUDE_DIR PYTHON_BINDING_DIR NODE_BINDING_DIR JAVA_JAR

A binding declares the C functions it calls in one table (Python:
mxtls._ffi.DECLARATIONS, tuples of ctypes types; Node: lib/ffi.js DECLARATIONS,
C prototype strings for koffi; Java: io.mxtls.Declarations, the prototype
strings its JNA natives are checked against, printed as JSON by its main()). A header change that a binding does not follow
would otherwise surface as a crash or a silently cut value at run time. Checked:
- each declared function exists in mxtls.h;
- the same number of parameters;
- each parameter and the return value have the same ABI class: void, signed or
  unsigned integer of the same width, or pointer (for Node: also the same C
  type name, ignoring const, parameter names and koffi's direction markers);
- a self-test: a prototype changed in a copy of the header is reported.
Prints 'N passed, N failed'; exit 1 on any failure.
"""
import ctypes
import importlib.util
import json
import os
import re
import subprocess
import sys

results = {"passed": 0, "failed": 0}


def check(name, ok, detail=""):
    results["passed" if ok else "failed"] += 1
    print(f"{'ok  ' if ok else 'FAIL'} {name}" + ("" if ok else f"\n     {detail}"))


# ---- C prototypes ----------------------------------------------------------

POINTER_TYPEDEFS = {"mxtls_event_fn", "mxtls_cleanup_fn"}  # function pointers
INTEGERS = {  # C type -> (signed, bytes) on the LP64 platforms we build for
    "int": (True, 4), "unsigned": (False, 4), "unsigned int": (False, 4),
    "long": (True, 8), "unsigned long": (False, 8), "size_t": (False, 8),
    "int64_t": (True, 8), "uint64_t": (False, 8), "int32_t": (True, 4), "uint32_t": (False, 4),
}


def strip_comments(text):
    return re.sub(r"/\*.*?\*/", " ", text, flags=re.S)


def split_decl(decl):
    """'const char *name' -> ('char *', 'name'); type without const, qualifiers or markers."""
    decl = re.sub(r"\b(_Out_|_Inout_|_In_|MXTLS_WARN_UNUSED|MXTLS_EXTERN|struct)\b", " ", decl)
    decl = re.sub(r"\bconst\b", " ", decl)
    decl = decl.replace("*", " * ")
    words = decl.split()
    name = None
    # A trailing identifier after at least one type word is the parameter's name
    # ("size_t len", "char *buf"), unless it completes a type ("unsigned int").
    if len(words) >= 2 and re.fullmatch(r"[A-Za-z_]\w*", words[-1]) and \
            words[-1] not in ("int", "long", "char", "short"):
        name = words.pop()
    base = " ".join(w for w in words if w != "*")
    base = {"unsigned int": "unsigned", "signed int": "int", "signed": "int"}.get(base, base)
    stars = words.count("*")
    return (base + " " + "*" * stars).strip(), name


def parse_prototype(proto):
    """'int f(const char *a, size_t b)' -> ('f', 'int', ['char *', 'size_t'])."""
    proto = " ".join(strip_comments(proto).split())
    m = re.fullmatch(r"(.+?)\b(mxtls_\w+)\s*\((.*)\)\s*;?", proto)
    if not m:
        raise ValueError(f"cannot parse prototype: {proto}")
    ret, name, params = m.group(1), m.group(2), m.group(3).strip()
    ret_type, _ = split_decl(ret + " x")
    args = [] if params in ("", "void") else [split_decl(p)[0] for p in params.split(",")]
    return name, ret_type, args


def header_prototypes(text):
    out = {}
    for decl in re.findall(r"^MXTLS_EXTERN\b[^;]*;", strip_comments(text), re.S | re.M):
        name, ret, args = parse_prototype(decl.replace("MXTLS_EXTERN", "", 1))
        out[name] = (ret, args)
    return out


def abi_class(c_type):
    """The ABI class of a C type name as split_decl() writes it."""
    if c_type.endswith("*") or c_type in POINTER_TYPEDEFS:
        return "pointer"
    if c_type == "void":
        return "void"
    if c_type in INTEGERS:
        signed, size = INTEGERS[c_type]
        return f"{'i' if signed else 'u'}{size * 8}"
    return "unknown " + c_type


# ---- Python: ctypes types -----------------------------------------------------

def ctypes_class(t):
    if t is None:
        return "void"
    if t in (ctypes.c_char_p, ctypes.c_void_p, ctypes.c_wchar_p) or \
            isinstance(t, type) and issubclass(t, (ctypes._Pointer, ctypes._CFuncPtr)):
        return "pointer"
    if isinstance(t, type) and issubclass(t, ctypes._SimpleCData) and t._type_ in "bBhHiIlLqQ":
        signed = t._type_ in "bhilq"
        return f"{'i' if signed else 'u'}{ctypes.sizeof(t) * 8}"
    return f"unknown {t!r}"


def python_declarations(binding_dir):
    """mxtls/_ffi.py alone, by path: the table needs neither the package nor the library."""
    spec = importlib.util.spec_from_file_location("mxtls_ffi_table",
                                                  os.path.join(binding_dir, "mxtls", "_ffi.py"))
    ffi = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(ffi)
    return [(name, ctypes_class(ret), [ctypes_class(a) for a in args])
            for name, ret, args in ffi.DECLARATIONS]


# ---- Node: koffi prototype strings -------------------------------------------

def node_declarations(binding_dir):
    script = ("const d = require(process.argv[1]).DECLARATIONS;"
              "process.stdout.write(JSON.stringify(d));")
    out = subprocess.run(["node", "-e", script, os.path.abspath(os.path.join(binding_dir, "lib", "ffi.js"))],
                         check=True, capture_output=True, text=True).stdout
    return [parse_prototype(p) for p in json.loads(out)]


# ---- Java: the prototype strings of io.mxtls.Declarations -------------------

def java_declarations(jar):
    out = subprocess.run(["java", "-cp", jar, "io.mxtls.Declarations"],
                         check=True, capture_output=True, text=True).stdout
    return [parse_prototype(p) for p in json.loads(out)]


# ---- comparison ---------------------------------------------------------------

def compare_classes(lang, decls, header):
    """decls: [(name, ret_class, [arg_class])]. Returns the list of mismatches."""
    bad = []
    for name, ret, args in decls:
        if name not in header:
            bad.append(f"{lang}: {name} is not in the header")
            continue
        h_ret, h_args = header[name]
        want = (abi_class(h_ret), [abi_class(a) for a in h_args])
        if (ret, args) != want:
            bad.append(f"{lang}: {name} declared ({ret}; {', '.join(args)}), "
                       f"header ({want[0]}; {', '.join(want[1])})")
    return bad


def compare_types(lang, decls, header):
    """decls: [(name, ret_type, [arg_type])] with C type names: classes, then names."""
    bad = compare_classes(lang, [(n, abi_class(r), [abi_class(a) for a in args])
                                 for n, r, args in decls], header)
    for name, ret, args in decls:
        if name in header and not any(b.startswith(f"{lang}: {name} ") for b in bad):
            h_ret, h_args = header[name]
            for got, want in zip([ret] + args, [h_ret] + h_args):
                # A function pointer typedef may be declared as a plain pointer.
                if got != want and not (want in POINTER_TYPEDEFS and got.endswith("*")):
                    bad.append(f"{lang}: {name}: type {got!r} where the header has {want!r}")
    return bad


def main():
    include, py_dir, node_dir, java_jar = sys.argv[1:5]
    text = open(os.path.join(include, "mxtls", "mxtls.h")).read()
    header = header_prototypes(text)
    check("the header's prototypes parse", len(header) > 80, f"{len(header)} found")
    unknown = [f"{n}: {r} ({', '.join(a)})" for n, (r, a) in header.items()
               if "unknown" in abi_class(r) and "mbedtls" not in r
               or any("unknown" in abi_class(x) and "mbedtls" not in x for x in a)]
    check("every header type has an ABI class", not unknown, "; ".join(unknown))

    py = python_declarations(py_dir)
    check("the Python binding declares functions", len(py) > 40, f"{len(py)} declared")
    bad = compare_classes("python", py, header)
    check(f"the Python binding's {len(py)} declarations match the header", not bad, "\n     ".join(bad))

    node = node_declarations(node_dir)
    check("the Node binding declares functions", len(node) > 40, f"{len(node)} declared")
    bad = compare_types("node", node, header)
    check(f"the Node binding's {len(node)} declarations match the header", not bad, "\n     ".join(bad))

    java = java_declarations(java_jar)
    check("the Java binding declares functions", len(java) > 40, f"{len(java)} declared")
    bad = compare_types("java", java, header)
    check(f"the Java binding's {len(java)} declarations match the header", not bad, "\n     ".join(bad))

    # Self-test: the checks see a change. A header where mxtls_cert_subject takes an int
    # size and mxtls_runtime_generation returns a 32-bit value must fail every binding.
    changed = text.replace("int mxtls_cert_subject(const mxtls_cert *cert, char *buf, size_t size)",
                           "int mxtls_cert_subject(const mxtls_cert *cert, char *buf, int size)")
    changed = changed.replace("uint64_t mxtls_runtime_generation(", "unsigned mxtls_runtime_generation(")
    check("self-test: the header copy was changed", changed.count("int size)") >= 1 and
          "unsigned mxtls_runtime_generation(" in changed)
    h2 = header_prototypes(changed)
    tables = {"python": py, "node": node, "java": java}
    for lang, bad in (("python", compare_classes("python", py, h2)),
                      ("node", compare_types("node", node, h2)),
                      ("java", compare_types("java", java, h2))):
        names = {re.match(rf"{lang}: (\w+)", b).group(1) for b in bad}
        used = {d[0] for d in tables[lang]}
        want = {"mxtls_cert_subject", "mxtls_runtime_generation"} & used
        check(f"self-test: a changed prototype is reported for {lang} ({', '.join(sorted(want))})",
              want and want <= names, f"reported: {sorted(names)}")

    print(f"{results['passed']} passed, {results['failed']} failed")
    return 1 if results["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
