"""Certificate authority bundles: the ones users upload, and the platform's roots.

Parsing is libmxtls's (PEM with surrounding text, base64 of PEM, or one DER
certificate), so a bundle that loads here loads the same way in every binding.
"""
import os

from ._cutil import Handle, Owned, text
from ._lib import lib
from .certificate import Certificate
from .errors import error_buffer, from_buffer
from .pkcs12 import _is_data, _warnings, data_pointer


class Trust(Owned):
    """An immutable bundle of authorities: .source, .certificates, .warnings."""

    def __init__(self, ptr):
        self._handle = Handle(ptr, lib.mxtls_trust_free)
        self.source = text(lib.mxtls_trust_source(ptr))
        self.certificates = tuple(Certificate(lib.mxtls_trust_cert(ptr, i))
                                  for i in range(lib.mxtls_trust_cert_count(ptr)))
        self.warnings = _warnings(lib.mxtls_trust_warning_count, lib.mxtls_trust_warning_kind,
                                  lib.mxtls_trust_warning, ptr)

    def __len__(self):
        return len(self.certificates)

    def __repr__(self):
        return f"<Trust {self.source!r} {len(self.certificates)} certificates>"


def load_trust(source):
    """Authorities from bytes-like data (PEM, base64 of PEM, DER) or a path."""
    err = error_buffer()
    if _is_data(source):
        arg, n, _keep = data_pointer(source)
        ptr = lib.mxtls_trust_load_mem(arg, n, err)
    elif isinstance(source, str) and "-----BEGIN" in source:
        raise TypeError("load_trust() takes PEM text as bytes (a str is a path)")
    else:
        ptr = lib.mxtls_trust_load_file(os.fsencode(source), err)
    if not ptr:
        raise from_buffer(err)
    return Trust(ptr)


def system_trust():
    """The platform's public roots, found as OpenSSL tools find them (SSL_CERT_FILE, ...)."""
    err = error_buffer()
    ptr = lib.mxtls_trust_load_system(err)
    if not ptr:
        raise from_buffer(err)
    return Trust(ptr)
