"""Bundles: the certificates and private keys users bring, to build a PKCS#12 from.

A Bundle reads what a CA hands out and what `openssl` or `keytool` wrote:
certificates (PEM, DER, .p7b), private keys in every usual PEM/DER form,
encrypted or not, and Java keystores (JKS, JCEKS). Parsing and decryption are
libmxtls's; the keys stay inside libmxtls (a Key here only describes one), are
wiped when the bundle is closed, and reach a container only through
Pkcs12Writer.add_key(), which copies them C-side.

Passwords are handed over with their length from bytearray copies zeroed right
after the call, as load_pkcs12() does.
"""
import collections
import ctypes
import os

from ._cutil import Handle, InputBuffer, Owned, char_view, encode_arg, secret_bytes, text, wipe
from ._lib import const, lib
from .certificate import Certificate
from .errors import error_buffer, from_buffer
from .pkcs12 import _is_data, _key_type_name, _warnings

Chain = collections.namedtuple("Chain", "certificates complete")
Chain.__doc__ = ("A key's chain: certificates leaf first, then each issuer (tuple of Certificate); "
                 "complete is True when it ends in a self-signed root.")


def _check_source(source, what):
    if isinstance(source, str) and "-----BEGIN" in source:
        raise TypeError(f"{what} takes PEM text as bytes (a str is a path)")


class _Password:
    """A password argument: (pointer, length) over a bytearray copy that close() zeroes.

    None gives NULL; with keep_empty, "" gives a non-NULL pointer of length 0
    (where the C API tells "no password" from "the empty password").
    """

    def __init__(self, value, what, keep_empty=False):
        self._buf = secret_bytes(value, what)
        self._view = char_view(self._buf)
        if self._view is None and value is not None and keep_empty:
            self._view = ctypes.create_string_buffer(1)
        self.arg, self.n = self._view, len(self._buf)

    def close(self):
        self.arg = self._view = None
        wipe(self._buf)


def _find_cert(bptr, der):
    """The bundle's certificate with this DER (a borrowed pointer), or None."""
    n = ctypes.c_size_t()
    for i in range(lib.mxtls_bundle_cert_count(bptr)):
        c = lib.mxtls_bundle_cert(bptr, i)
        p = lib.mxtls_cert_der(c, ctypes.byref(n))
        if n.value == len(der) and ctypes.string_at(p, n.value) == der:
            return c
    return None


class Key:
    """A private key read into a Bundle. The key itself stays in libmxtls.

    index, kind ("rsa"/"ec"), bits, curve ("P-256"...; None for RSA), form (how
    it was stored: "PKCS#1, legacy PEM encryption AES-256-CBC", ...), source
    (where it was read: "key.pem, line 1"), alias (the keystore entry's, or
    None). These are copied when the Key is made and stay readable after the
    bundle is closed; matches() needs it open.
    """

    __slots__ = ("_handle", "index", "kind", "bits", "curve", "form", "source", "alias")

    def __init__(self, handle, index, ptr):
        self._handle = handle  # the bundle's: a Key keeps the C bundle alive, not the Bundle
        self.index = index
        self.kind = _key_type_name(lib.mxtls_key_kind(ptr))
        self.bits = lib.mxtls_key_bits(ptr)
        self.curve = text(lib.mxtls_key_curve(ptr))
        self.form = text(lib.mxtls_key_form(ptr))
        self.source = text(lib.mxtls_key_source(ptr))
        self.alias = text(lib.mxtls_key_alias(ptr))

    def matches(self, cert):
        """Whether a certificate (a Certificate, or DER/PEM bytes of one) holds this key's public key.

        Raises ValueError once the key's bundle is closed.
        """
        bptr = self._handle.ptr
        kptr = lib.mxtls_bundle_key(bptr, self.index)
        if isinstance(cert, Certificate):
            own = _find_cert(bptr, cert.der)
            if own:
                return bool(lib.mxtls_key_matches_cert(kptr, own))
            cert = cert.der
        elif not _is_data(cert):
            raise TypeError("matches() takes a Certificate or a certificate's DER or PEM bytes")
        with Bundle() as tmp:  # a certificate from elsewhere: read by libmxtls, as any input
            tmp.add(cert, name="certificate")
            tptr = tmp._handle.ptr
            if lib.mxtls_bundle_key_count(tptr) or lib.mxtls_bundle_cert_count(tptr) != 1:
                raise ValueError("matches() takes exactly one certificate")
            return bool(lib.mxtls_key_matches_cert(kptr, lib.mxtls_bundle_cert(tptr, 0)))

    def __repr__(self):
        size = f"{self.kind}-{self.bits}" if self.curve is None else f"{self.kind}-{self.curve}"
        return f"<Key {self.index} {size} {self.source!r}>"


class Bundle(Owned):
    """Certificates and private keys read from the inputs added, for Pkcs12Writer.

    bundle = mxtls.Bundle()
    bundle.add("client.crt").add("intermediate.pem").add("client.key", key_password)
    chain = bundle.chain(0)          # found by the key, ordered and checked by signature

    Used by one thread at a time (like Config). close() or a with-block frees it
    and wipes its keys at once; otherwise garbage collection does.
    """

    def __init__(self):
        err = error_buffer()
        ptr = lib.mxtls_bundle_new(err)
        if not ptr:
            raise from_buffer(err)
        self._handle = Handle(ptr, lib.mxtls_bundle_free)
        self._cache = None

    def _call(self, fn, *args):
        err = error_buffer()
        if fn(self._handle.ptr, *args, err) != 0:
            raise from_buffer(err)
        self._cache = None

    def add(self, source, password=None, *, name=None):
        """Read one input: bytes-like data or a path (str / os.PathLike).

        Certificates (PEM blocks with any text around them, one DER certificate,
        a .p7b), private keys (PKCS#8, encrypted PKCS#8, PKCS#1/SEC1 also with
        OpenSSL's legacy PEM encryption, DER) or a JKS/JCEKS keystore (with
        password as store and key password). password: str or bytes, used for
        encrypted keys only. name: what error messages call data ("memory" by
        default; a path names itself). On error the bundle is as it was.
        Returns the bundle.
        """
        _check_source(source, "Bundle.add()")
        pw = _Password(password, "password")
        try:
            if _is_data(source):
                with InputBuffer(source) as (arg, n):
                    self._call(lib.mxtls_bundle_add_mem, arg, n, encode_arg(name), pw.arg, pw.n)
            else:
                self._call(lib.mxtls_bundle_add_file, os.fsencode(source), pw.arg, pw.n)
        finally:
            pw.close()
        return self

    def add_keystore(self, source, store_password=None, key_password=None, *, name=None):
        """Read a Java keystore (JKS or JCEKS): bytes-like data or a path.

        store_password checks the store's integrity (with none, a store that
        fails the check with the empty password is read with a no_mac warning,
        as Java does); key_password opens its private keys, None meaning the
        store password (keytool's default). Anything but a keystore is
        CorruptError. Returns the bundle.
        """
        _check_source(source, "Bundle.add_keystore()")
        spw = _Password(store_password, "store_password")
        kpw = _Password(key_password, "key_password", keep_empty=True)
        try:
            if _is_data(source):
                with InputBuffer(source) as (arg, n):
                    self._call(lib.mxtls_bundle_add_keystore_mem, arg, n, encode_arg(name),
                               spw.arg, spw.n, kpw.arg, kpw.n)
            else:
                self._call(lib.mxtls_bundle_add_keystore_file, os.fsencode(source), spw.arg, spw.n,
                           kpw.arg, kpw.n)
        finally:
            spw.close()
            kpw.close()
        return self

    def _contents(self):
        ptr = self._handle.ptr
        if self._cache is None:
            certs = tuple(Certificate(lib.mxtls_bundle_cert(ptr, i))
                          for i in range(lib.mxtls_bundle_cert_count(ptr)))
            keys = tuple(Key(self._handle, i, lib.mxtls_bundle_key(ptr, i))
                         for i in range(lib.mxtls_bundle_key_count(ptr)))
            warnings = _warnings(lib.mxtls_bundle_warning_count, lib.mxtls_bundle_warning_kind,
                                 lib.mxtls_bundle_warning, ptr)
            self._cache = (certs, keys, warnings)
        return self._cache

    @property
    def certificates(self):
        """Distinct certificates in the order read (tuple of Certificate)."""
        return self._contents()[0]

    @property
    def keys(self):
        """Private keys in the order read (tuple of Key)."""
        return self._contents()[1]

    @property
    def warnings(self):
        """Warnings (kind, message): skipped_entry for blocks and entries that are neither
        certificates nor usable keys, no_mac for a keystore read without its integrity check."""
        return self._contents()[2]

    def _key_index(self, key):
        if isinstance(key, Key):
            if key._handle is not self._handle:
                raise ValueError("the Key belongs to another Bundle")
            return key.index
        if isinstance(key, bool) or not isinstance(key, int) or key < 0:
            raise TypeError("key is a Key of this bundle or its index (an int >= 0)")
        return key

    def chain(self, key=0):
        """Chain(certificates, complete) of a key (a Key or its index).

        The certificate holding the key's public key (found by the key, never by
        order), then its issuers, each checked by name and signature, leaf to
        root. complete: it ends in a self-signed certificate. Raises
        KeyMismatchError when no certificate holds the key, NoCertificateError
        when the bundle has none, NoKeyError/UsageError for a bad index.
        """
        index = self._key_index(key)
        ptr = self._handle.ptr
        cap = const("MXTLS_MAX_CHAIN")
        certs = (ctypes.c_void_p * cap)()
        n = ctypes.c_size_t()
        err = error_buffer()
        r = lib.mxtls_bundle_chain(ptr, index, certs, cap, ctypes.byref(n), err)
        if r < 0:
            raise from_buffer(err)
        return Chain(tuple(Certificate(certs[i]) for i in range(n.value)), r == 1)

    def close(self):
        """Free the bundle now and wipe its keys (idempotent)."""
        self._cache = None
        super().close()

    def __repr__(self):
        if self.closed:
            return "<Bundle closed>"
        certs, keys, _ = self._contents()
        return f"<Bundle {len(certs)} certificates, {len(keys)} keys>"
