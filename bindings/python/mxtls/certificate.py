"""Certificate: a read-only view of an X.509 certificate held by libmxtls.

All fields are read when the object is made (a few small copies), so a
Certificate stays valid after the container, bundle or context it came from
is closed: nothing here can touch freed C memory later.
"""
import ctypes
import datetime

from ._lib import lib

_UTC = datetime.timezone.utc


def _name(fn, cert):
    n = fn(cert, None, 0)
    if n < 0:
        return None
    buf = ctypes.create_string_buffer(n + 1)
    fn(cert, buf, n + 1)
    return buf.value.decode("ascii", "replace")


def _time(seconds):
    try:
        return datetime.datetime.fromtimestamp(seconds, _UTC)
    except (OverflowError, OSError, ValueError):
        return datetime.datetime.max.replace(tzinfo=_UTC) if seconds > 0 else datetime.datetime.min.replace(tzinfo=_UTC)


class Certificate:
    """An X.509 certificate: der, subject, issuer, not_before/not_after (aware UTC), sha256, is_ca."""

    __slots__ = ("der", "subject", "issuer", "not_before", "not_after", "sha256", "is_ca")

    def __init__(self, ptr):
        if not ptr:
            raise ValueError("NULL certificate")
        n = ctypes.c_size_t()
        der = lib.mxtls_cert_der(ptr, ctypes.byref(n))
        self.der = ctypes.string_at(der, n.value)
        self.subject = _name(lib.mxtls_cert_subject, ptr)
        self.issuer = _name(lib.mxtls_cert_issuer, ptr)
        self.not_before = _time(lib.mxtls_cert_not_before(ptr))
        self.not_after = _time(lib.mxtls_cert_not_after(ptr))
        self.sha256 = ctypes.string_at(lib.mxtls_cert_sha256(ptr), 32)
        self.is_ca = bool(lib.mxtls_cert_is_ca(ptr))

    @property
    def sha256_hex(self):
        return self.sha256.hex()

    @property
    def pem(self):
        """The certificate as PEM text (public data)."""
        import ssl
        return ssl.DER_cert_to_PEM_cert(self.der)

    def __eq__(self, other):
        return isinstance(other, Certificate) and other.der == self.der

    def __hash__(self):
        return hash(self.sha256)

    def __repr__(self):
        return f"<Certificate {self.subject!r} issuer={self.issuer!r} sha256={self.sha256_hex[:16]}...>"
