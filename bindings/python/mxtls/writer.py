"""Writing PKCS#12 containers: Pkcs12Writer, and pack() for the usual case.

The writer is libmxtls's (RFC 7292, DER): keys are copied into it C-side (from
a loaded Pkcs12, a Bundle or PKCS#8/PKCS#1/SEC1 DER), held as PKCS#8 and wiped
when it is closed. finish() copies the encrypted container into a bytes object
and has libmxtls wipe and free its buffer (mxtls_free_secret) at once.
"""
import ctypes
import os

from ._cutil import Handle, InputBuffer, Owned, char_view, encode_arg, secret_bytes, wipe
from ._lib import const, lib
from .bundle import Bundle
from .certificate import Certificate
from .errors import error_buffer, error_class, from_buffer
from .pkcs12 import Pkcs12, _is_data, load_pkcs12

PROFILES = ("modern", "compat", "pbmac1")


def _profile_number(profile):
    if profile is None:
        profile = "modern"
    if not isinstance(profile, str) or profile.lower() not in PROFILES:
        raise ValueError(f"profile is one of {', '.join(PROFILES)}, not {profile!r}")
    return const("MXTLS_PKCS12_PROFILE_" + profile.upper()), profile.lower()


def _der(cert, what="certificate"):
    if isinstance(cert, Certificate):
        return cert.der
    if _is_data(cert):
        return bytes(cert)
    raise TypeError(f"{what} must be a Certificate or DER bytes, not {type(cert).__name__}")


class Pkcs12Writer(Owned):
    """Collects identities (key + leaf + chain) and certificates, then writes a PKCS#12.

    profile:
    - "modern" (default): PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) for keys and
      certificates, HMAC-SHA256 MAC; what OpenSSL 3 writes. Read by OpenSSL >= 1.1.1,
      Java 8u301+/11+, Windows 10 1709+, python3-cryptography, Node.
    - "compat": 3DES and an HMAC-SHA1 MAC, for old readers (Java 8 before 8u301,
      Windows before 10 1709, OpenSSL 1.0).
    - "pbmac1": modern encryption with an RFC 9579 PBMAC1 MAC (OpenSSL 3.4+);
      older readers cannot verify it.
    iterations: of every key derivation, from 2048 (the default) up to the loader's cap.

    Used by one thread at a time. close() or a with-block frees it and wipes the
    keys it holds at once; otherwise garbage collection does.
    """

    def __init__(self, profile="modern", *, iterations=None):
        number, self.profile = _profile_number(profile)
        err = error_buffer()
        ptr = lib.mxtls_pkcs12_writer_new(number, err)
        if not ptr:
            raise from_buffer(err)
        self._handle = Handle(ptr, lib.mxtls_pkcs12_writer_free)
        self._iterations = const("MXTLS_PKCS12_DEFAULT_ITERATIONS")
        if iterations is not None:
            self.iterations = iterations

    def _call(self, fn, *args):
        err = error_buffer()
        if fn(self._handle.ptr, *args, err) != 0:
            raise from_buffer(err)

    @property
    def iterations(self):
        """Iterations of every key derivation (and of the MAC's)."""
        return self._iterations

    @iterations.setter
    def iterations(self, n):
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError("iterations must be an int")
        if n < 0 or n > 0xFFFFFFFF:
            raise ValueError(f"iterations out of range: {n}")
        self._call(lib.mxtls_pkcs12_writer_set_iterations, n)
        self._iterations = n

    def add_identity(self, p12, index=0, *, friendly_name=None):
        """Add identity `index` of a loaded Pkcs12: its key, leaf and chain (to re-encrypt it).

        friendly_name: None keeps the identity's own. The Pkcs12 may be closed afterwards.
        """
        if not isinstance(p12, Pkcs12):
            raise TypeError("add_identity() takes a Pkcs12 (see mxtls.load_pkcs12)")
        self._call(lib.mxtls_pkcs12_writer_add_identity, p12._handle.ptr, index, encode_arg(friendly_name))
        return self

    def add_key(self, bundle, key=0, *, friendly_name=None):
        """Add a Bundle's key (a Key or its index) with its chain, as Bundle.chain() finds it.

        Raises KeyMismatchError when no certificate of the bundle holds the key.
        The Bundle may be closed afterwards.
        """
        if not isinstance(bundle, Bundle):
            raise TypeError("add_key() takes a Bundle")
        index = bundle._key_index(key)
        err = error_buffer()
        if lib.mxtls_bundle_add_to_writer(bundle._handle.ptr, index, self._handle.ptr,
                                          encode_arg(friendly_name), err) != 0:
            raise from_buffer(err)
        return self

    def add_key_der(self, key_der, certificates, *, friendly_name=None):
        """Add an identity from an unencrypted DER key and its certificates (leaf first).

        key_der: PKCS#8 PrivateKeyInfo, PKCS#1 RSAPrivateKey or SEC1 ECPrivateKey as
        bytes or a bytearray (passed without a copy: wipe it yourself afterwards).
        For PEM or encrypted keys, use a Bundle and add_key().
        """
        single = isinstance(certificates, Certificate) or _is_data(certificates)
        ders = [_der(c) for c in ([certificates] if single else certificates)]
        if not ders:
            raise ValueError("add_key_der() needs the leaf certificate")
        bufs = [ctypes.create_string_buffer(d, len(d)) for d in ders]
        ptrs = (ctypes.c_void_p * len(bufs))(*[ctypes.addressof(b) for b in bufs])
        lens = (ctypes.c_size_t * len(bufs))(*[len(d) for d in ders])
        with InputBuffer(key_der) as (arg, n):
            self._call(lib.mxtls_pkcs12_writer_add_key_der, arg, n, ptrs, lens, len(bufs),
                       encode_arg(friendly_name))
        return self

    def add_certificate(self, cert):
        """Add a certificate that belongs to no identity (an extra CA): a Certificate or DER bytes."""
        der = _der(cert)
        self._call(lib.mxtls_pkcs12_writer_add_cert_der, der, len(der))
        return self

    def finish(self, password):
        """The container, encrypted under password (str or bytes; "" is allowed), as bytes.

        Fresh salts and IVs on each call: the writer may be finished again.
        Raises NoKeyError without an identity.
        """
        pw = secret_bytes(password)
        der, n = ctypes.c_void_p(), ctypes.c_size_t()
        err = error_buffer()
        try:
            view = char_view(pw)
            r = lib.mxtls_pkcs12_writer_finish(self._handle.ptr, view, len(pw), ctypes.byref(der),
                                               ctypes.byref(n), err)
            del view
        finally:
            wipe(pw)
        if r != 0:
            raise from_buffer(err)
        try:
            return ctypes.string_at(der.value, n.value)
        finally:
            lib.mxtls_free_secret(der, n.value)

    def close(self):
        """Free the writer now and wipe the keys it holds (idempotent)."""
        super().close()

    def __repr__(self):
        return f"<Pkcs12Writer {self.profile}{' closed' if self.closed else ''}>"


def _sources(value, what):
    if value is None:
        return []
    if _is_data(value) or isinstance(value, (str, os.PathLike)):
        return [value]
    try:
        return list(value)
    except TypeError:
        raise TypeError(f"{what}: bytes, a path, or a list of them") from None


def _name(source, label):
    return label if _is_data(source) else None


def pack(certs, key, *, password, key_password=None, chain=(), profile="modern", iterations=None,
         friendly_name=None, allow_empty_password=False):
    """A PKCS#12 container (bytes) from certificate files and a private key, as `mxtls pack` makes it.

    certs: the certificate (and any chain) as bytes or a path, or a list of them;
    key: one private key (bytes or a path) in any form a Bundle reads;
    key_password: opens an encrypted key; chain: more certificates (bytes/paths)
    to complete the chain, e.g. the CA's intermediates and root; password: of
    the new container (an empty one only with allow_empty_password=True).

    The leaf is the certificate holding the key (found by the key, never by
    order), its chain is ordered and checked by signature; certificates that
    are not on it are left out. The container is loaded back with
    load_pkcs12() and must hold the same leaf and chain, or InternalError is
    raised and nothing returned. Errors: WrongPasswordError (key_password),
    KeyMismatchError (no certificate holds the key), CorruptError, ...
    """
    pw = secret_bytes(password)
    kpw = None if key_password is None else secret_bytes(key_password, "key_password")
    try:
        if not pw and not allow_empty_password:
            raise ValueError("the container's password is empty; pass allow_empty_password=True "
                             "if that is what you want")
        cert_list, chain_list = _sources(certs, "certs"), _sources(chain, "chain")
        if not cert_list:
            raise ValueError("pack() needs the certificate")
        with Bundle() as bundle, Pkcs12Writer(profile, iterations=iterations) as writer:
            for i, c in enumerate(cert_list):
                bundle.add(c, kpw, name=_name(c, f"certs[{i}]"))
            for i, c in enumerate(chain_list):
                bundle.add(c, kpw, name=_name(c, f"chain[{i}]"))
            before = len(bundle.keys)
            bundle.add(key, kpw, name=_name(key, "key"))
            added = len(bundle.keys) - before
            if added != 1:
                where = "key" if _is_data(key) else os.fsdecode(key)
                raise error_class("usage")(f"{where}: holds {added} private keys; pack() takes one key")
            expect = [c.sha256 for c in bundle.chain(before).certificates]
            writer.add_key(bundle, before, friendly_name=friendly_name)
            der = writer.finish(pw)
        # Never hand out what does not read back as the same identity.
        with load_pkcs12(der, pw) as back:
            got = [[i.leaf.sha256] + [c.sha256 for c in i.chain] for i in back.identities]
        if got != [expect]:
            raise error_class("internal")("the container made reads back with another leaf or chain")
        return der
    finally:
        wipe(pw)
        wipe(kpw)
