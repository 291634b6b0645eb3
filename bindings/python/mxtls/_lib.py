"""Finding and loading libmxtls.so.0, checking its ABI, reading its constants.

Lookup order (first hit wins, and a broken hit is an error, not a fall-through,
so that a wrong MXTLS_LIBRARY is never silently replaced by another copy):
  1. the path in the environment variable MXTLS_LIBRARY;
  2. installed prefixes: /usr/local/lib, /usr/lib/<multiarch>, /usr/lib;
  3. the system loader: "libmxtls.so.0", then ctypes.util.find_library("mxtls").

Constants are never copied from the header: they are read through
mxtls_constant() (and mxtls_no_identity() for SIZE_MAX), so a binding cannot
drift from the library it runs on.
"""
import ctypes
import ctypes.util
import os
import sysconfig

from ._ffi import DECLARATIONS

KNOWN_ABI = 0  # the one ABI this binding was written for; any other is refused
SONAME = "libmxtls.so.0"


class LibraryError(ImportError):
    """libmxtls could not be found or loaded, or speaks another ABI."""


def _candidates():
    env = os.environ.get("MXTLS_LIBRARY")
    if env:
        return [(env, True)]
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    out = []
    for d in ("/usr/local/lib", os.path.join("/usr/lib", multiarch) if multiarch else None, "/usr/lib"):
        if d and os.path.exists(os.path.join(d, SONAME)):
            out.append((os.path.join(d, SONAME), True))
    out.append((SONAME, False))
    found = ctypes.util.find_library("mxtls")
    if found:
        out.append((found, False))
    return out


def _open():
    tried = []
    for path, must_work in _candidates():
        try:
            return path, ctypes.CDLL(path)
        except OSError as e:
            if must_work:
                raise LibraryError(f"cannot load libmxtls from {path}: {e}") from None
            tried.append(f"{path}: {e}")
    raise LibraryError("libmxtls not found (set MXTLS_LIBRARY to the path of libmxtls.so.0); tried: "
                       + "; ".join(tried))


def _declare(lib, path):
    for name, restype, argtypes in DECLARATIONS:
        try:
            fn = getattr(lib, name)
        except AttributeError:
            raise LibraryError(f"{path} does not export {name}: this binding needs a newer libmxtls") from None
        fn.restype = restype
        fn.argtypes = argtypes


def _load():
    path, lib = _open()
    try:
        abi = lib.mxtls_abi_version
    except AttributeError:
        raise LibraryError(f"{path} is not libmxtls (no mxtls_abi_version)") from None
    abi.restype, abi.argtypes = ctypes.c_int, []
    if abi() != KNOWN_ABI:
        raise LibraryError(f"{path} has ABI version {abi()}, but this binding knows ABI version {KNOWN_ABI}")
    _declare(lib, path)
    return path, lib


path, lib = _load()
NO_IDENTITY = lib.mxtls_no_identity()
_cache = {}


def const(name):
    """The value of the header's constant `name`, asked of the loaded library."""
    try:
        return _cache[name]
    except KeyError:
        pass
    v = ctypes.c_int64()
    if lib.mxtls_constant(name.encode("ascii"), ctypes.byref(v)) != 0:
        raise LibraryError(f"{path} does not know the constant {name}")
    _cache[name] = v.value
    return v.value


def version():
    """The loaded library's version string, e.g. "0.1.0"."""
    return lib.mxtls_version().decode()
