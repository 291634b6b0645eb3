"""Loading PKCS#12 containers (.p12/.pfx) and describing what they hold.

The password is handed to libmxtls with its length (mxtls_pkcs12_load_*_n), from
a bytearray copy this module zeroes right after the call. The key itself stays
inside libmxtls: a Pkcs12 only exposes public facts (certificates, key type,
protection, warnings), and Config.add_identity() copies the key C-side.
"""
import collections
import ctypes
import os

from ._cutil import Handle, Owned, char_view, secret_bytes, text, wipe
from ._lib import const, lib
from .certificate import Certificate
from .errors import error_buffer, from_buffer

Warning = collections.namedtuple("Warning", "kind message")
Warning.__doc__ = "A load warning: kind is the stable name (\"no_mac\", \"legacy_algorithm\", ...)."


def _key_type_name(number):
    if number == const("MXTLS_KEY_RSA"):
        return "rsa"
    if number == const("MXTLS_KEY_EC"):
        return "ec"
    return f"unknown({number})"


def _warnings(count, kind, message, handle):
    return tuple(Warning(lib.mxtls_warning_name(kind(handle, i)).decode(), text(message(handle, i)))
                 for i in range(count(handle)))


class Identity:
    """One private key (kept in C) with its leaf certificate and issuer chain."""

    __slots__ = ("index", "leaf", "chain", "key_type", "key_bits", "curve", "friendly_name")

    def __init__(self, index, ptr):
        self.index = index
        self.leaf = Certificate(lib.mxtls_identity_leaf(ptr))
        self.chain = tuple(Certificate(lib.mxtls_identity_chain_cert(ptr, i))
                           for i in range(lib.mxtls_identity_chain_count(ptr)))
        self.key_type = _key_type_name(lib.mxtls_identity_key_type(ptr))
        self.key_bits = lib.mxtls_identity_key_bits(ptr)
        self.curve = text(lib.mxtls_identity_key_curve(ptr))
        self.friendly_name = text(lib.mxtls_identity_friendly_name(ptr))

    subject = property(lambda self: self.leaf.subject)
    issuer = property(lambda self: self.leaf.issuer)
    not_before = property(lambda self: self.leaf.not_before)
    not_after = property(lambda self: self.leaf.not_after)
    sha256 = property(lambda self: self.leaf.sha256)
    sha256_hex = property(lambda self: self.leaf.sha256_hex)

    def __repr__(self):
        return f"<Identity {self.index} {self.subject!r} {self.key_type}-{self.key_bits}>"


class Pkcs12(Owned):
    """A loaded container. Holds key material in C until close() (or garbage collection)."""

    def __init__(self, ptr):
        self._handle = Handle(ptr, lib.mxtls_pkcs12_free)
        self.identities = tuple(Identity(i, lib.mxtls_pkcs12_identity(ptr, i))
                                for i in range(lib.mxtls_pkcs12_identity_count(ptr)))
        self.extra_certs = tuple(Certificate(lib.mxtls_pkcs12_extra_cert(ptr, i))
                                 for i in range(lib.mxtls_pkcs12_extra_cert_count(ptr)))
        self.mac_algorithm = text(lib.mxtls_pkcs12_mac_algorithm(ptr))
        self.encryptions = tuple(text(lib.mxtls_pkcs12_encryption(ptr, i))
                                 for i in range(lib.mxtls_pkcs12_encryption_count(ptr)))
        self.warnings = _warnings(lib.mxtls_pkcs12_warning_count, lib.mxtls_pkcs12_warning_kind,
                                  lib.mxtls_pkcs12_warning, ptr)

    def close(self):
        """Free the container now and wipe its key (idempotent)."""
        super().close()

    def __repr__(self):
        state = "closed" if self.closed else f"{len(self.identities)} identities"
        return f"<Pkcs12 {state}>"


def _is_data(source):
    return isinstance(source, (bytes, bytearray, memoryview))


def data_pointer(data):
    """(pointer argument, length, keep-alive) for bytes-like input, without copying bytes/bytearray."""
    if isinstance(data, memoryview):
        data = data.tobytes()
    if isinstance(data, bytearray):
        view = char_view(data)
        return view, len(data), view
    return data, len(data), data


def load_pkcs12(source, password=None, *, require_mac=False):
    """Load a PKCS#12 container from bytes-like data or a path (str / os.PathLike).

    password: str (UTF-8), bytes, or None/"" for "no password". A bytearray copy
    is passed with its length and zeroed after the call; a str password cannot
    be wiped by anyone, so pass a bytearray you wipe yourself where that matters
    (see read_password_file). require_mac: a container without an integrity MAC
    raises NoMacError. Raises mxtls.Error subclasses (WrongPasswordError, ...).
    """
    flags = const("MXTLS_LOAD_REQUIRE_MAC") if require_mac else 0
    pw = secret_bytes(password)
    err = error_buffer()
    try:
        pw_view = char_view(pw)
        if _is_data(source):
            arg, n, _keep = data_pointer(source)
            ptr = lib.mxtls_pkcs12_load_mem_n(arg, n, pw_view, len(pw), flags, err)
        else:
            ptr = lib.mxtls_pkcs12_load_file_n(os.fsencode(source), pw_view, len(pw), flags, err)
        del pw_view
    finally:
        wipe(pw)
    if not ptr:
        raise from_buffer(err)
    return Pkcs12(ptr)


def read_password_file(path):
    """A password file read the way the runtime reads MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE.

    Returns a bytearray: wipe it (mxtls._cutil.wipe or buf[:] = bytes(len(buf)))
    once load_pkcs12() has used it.
    """
    err = error_buffer()
    p = lib.mxtls_password_read_file(os.fsencode(path), err)
    if not p:
        raise from_buffer(err)
    try:
        n = _strlen(p)
        out = bytearray(n)
        if n:
            view = char_view(out)
            ctypes.memmove(view, p, n)  # straight into the bytearray: no bytes object in between
            del view
        return out
    finally:
        lib.mxtls_password_free(p)


def _strlen(p):
    n = 0
    view = ctypes.cast(p, ctypes.POINTER(ctypes.c_char))
    while view[n] != b"\0":
        n += 1
    return n
