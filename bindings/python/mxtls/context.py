"""Config (identities, pins, authorities, options) and the immutable Context built from it.

A Context is libmxtls's: parsed once, immutable, reference-counted and safe to
share between threads. Its ssl_context() hands Python's ssl module a ready,
sealed SSLContext per (identity, identifier), built once and cached, so a
process that makes thousands of requests parses the key and authorities once.
"""
import collections
import ctypes
import os
import ssl

from . import sslcontext
from ._cutil import EnvBlock, Handle, KeyedCache, Owned, encode_arg, string_array, text
from ._lib import NO_IDENTITY, const, lib
from .certificate import Certificate
from .errors import error_buffer, from_buffer
from .pkcs12 import Pkcs12
from .trust import Trust, load_trust

ContextIdentity = collections.namedtuple("ContextIdentity", "index certificate pins")
ContextIdentity.__doc__ = "An identity of a Context: its index, leaf Certificate and pins (tuple of str)."


def _versions_to_c():
    return {ssl.TLSVersion.TLSv1_2: const("MXTLS_TLS_1_2"), ssl.TLSVersion.TLSv1_3: const("MXTLS_TLS_1_3")}


def _version_from_c(value):
    for py, c in _versions_to_c().items():
        if c == value:
            return py
    raise ValueError(f"unknown TLS version 0x{value:04x} from libmxtls")


def _config_warnings(cfg_ptr):
    return tuple(text(lib.mxtls_config_warning(cfg_ptr, i)) for i in range(lib.mxtls_config_warning_count(cfg_ptr)))


class Config(Owned):
    """What a Context is built from. Used by one thread at a time; build() as often as you like."""

    def __init__(self, *, system_roots=True, tls_versions=None):
        ptr = lib.mxtls_config_new()
        if not ptr:
            raise MemoryError("mxtls_config_new")
        self._handle = Handle(ptr, lib.mxtls_config_free)
        self._system_roots = True
        self.system_roots = system_roots
        self._tls_versions = (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3)
        if tls_versions is not None:
            self.tls_versions = tls_versions

    def _call(self, fn, *args):
        err = error_buffer()
        if fn(self._handle.ptr, *args, err) != 0:
            raise from_buffer(err)

    def add_identity(self, p12, index=0, pins=None):
        """Add identity `index` of a loaded Pkcs12 (its key is copied C-side).

        pins: host names ("api.example.com", "*.example.com") or identifiers
        ("Module.Service") that select it; None or empty makes it a default.
        """
        if not isinstance(p12, Pkcs12):
            raise TypeError("add_identity() takes a Pkcs12 (see mxtls.load_pkcs12)")
        if isinstance(pins, str):
            pins = [pins]
        if pins:
            arr, n = string_array(pins)
            self._call(lib.mxtls_config_add_identity_pinned, p12._handle.ptr, index, arr, n)
        else:
            self._call(lib.mxtls_config_add_identity, p12._handle.ptr, index)
        return self

    def add_no_identity(self, pins):
        """Hosts or identifiers that must get no client certificate at all."""
        if isinstance(pins, str):
            pins = [pins]
        arr, n = string_array(pins)
        self._call(lib.mxtls_config_add_no_identity, arr, n)
        return self

    def add_trust(self, trust):
        """Trust these authorities too: a Trust, or what load_trust() accepts."""
        if not isinstance(trust, Trust):
            with load_trust(trust) as t:
                return self.add_trust(t)
        self._call(lib.mxtls_config_add_trust, trust._handle.ptr)
        return self

    @property
    def system_roots(self):
        """Whether the platform's public roots are trusted besides the added authorities."""
        return self._system_roots

    @system_roots.setter
    def system_roots(self, enabled):
        lib.mxtls_config_set_system_roots(self._handle.ptr, 1 if enabled else 0)
        self._system_roots = bool(enabled)

    @property
    def tls_versions(self):
        """(minimum, maximum) as ssl.TLSVersion; TLS 1.2 is the floor."""
        return self._tls_versions

    @tls_versions.setter
    def tls_versions(self, versions):
        lo, hi = versions
        table = _versions_to_c()
        if lo not in table or hi not in table:
            raise ValueError("TLS versions must be ssl.TLSVersion.TLSv1_2 or TLSv1_3")
        self._call(lib.mxtls_config_set_tls_versions, table[lo], table[hi])
        self._tls_versions = (lo, hi)

    @property
    def identity_count(self):
        return lib.mxtls_config_identity_count(self._handle.ptr)

    @property
    def warnings(self):
        return _config_warnings(self._handle.ptr)

    def build(self):
        """The immutable Context (identities parsed, trust parsed, once)."""
        err = error_buffer()
        ptr = lib.mxtls_ctx_new(self._handle.ptr, err)
        if not ptr:
            raise from_buffer(err)
        return Context._adopt(ptr, self.warnings)

    def close(self):
        """Free the configuration now and wipe the key material it holds."""
        super().close()


class Context(Owned):
    """An immutable TLS client context: identities, pins, trust, TLS versions.

    Thread-safe. Get one from Config.build(), from_env() or Runtime.context().
    """

    def __init__(self):
        raise TypeError("use Config.build(), mxtls.from_env() or Runtime.context()")

    @classmethod
    def _adopt(cls, ptr, extra_warnings=()):
        """Wrap a C context whose one reference the new object now owns."""
        self = object.__new__(cls)
        self._handle = Handle(ptr, lib.mxtls_ctx_free)
        self._extra_warnings = tuple(extra_warnings)
        self._ssl_cache = KeyedCache()
        lo, hi = ctypes.c_int(), ctypes.c_int()
        lib.mxtls_ctx_tls_versions(ptr, ctypes.byref(lo), ctypes.byref(hi))
        self.tls_versions = (_version_from_c(lo.value), _version_from_c(hi.value))
        return self

    @property
    def _ptr(self):
        return self._handle.ptr

    @property
    def identities(self):
        ptr = self._ptr
        out = []
        for i in range(lib.mxtls_ctx_identity_count(ptr)):
            pins = tuple(text(lib.mxtls_ctx_identity_pin(ptr, i, k))
                         for k in range(lib.mxtls_ctx_identity_pin_count(ptr, i)))
            out.append(ContextIdentity(i, Certificate(lib.mxtls_ctx_identity_leaf(ptr, i)), pins))
        return tuple(out)

    @property
    def pins(self):
        """{identity index: (pins...)}."""
        return {ident.index: ident.pins for ident in self.identities}

    @property
    def warnings(self):
        """Configuration warnings (from the environment) then the context's own (ambiguous pins...)."""
        ptr = self._ptr
        own = tuple(text(lib.mxtls_ctx_warning(ptr, i)) for i in range(lib.mxtls_ctx_warning_count(ptr)))
        return self._extra_warnings + own

    @property
    def trust_count(self):
        return lib.mxtls_ctx_trust_count(self._ptr)

    @property
    def system_root_count(self):
        return lib.mxtls_ctx_system_root_count(self._ptr)

    def trust_certificates(self):
        """Every trusted authority (system roots first); hashing them all costs once."""
        ptr = self._ptr
        return tuple(Certificate(lib.mxtls_ctx_trust_cert(ptr, i)) for i in range(self.trust_count))

    def select(self, host=None, identifier=None):
        """The identity index a request to host (or for identifier) presents, or None for none."""
        i = lib.mxtls_ctx_select(self._ptr, encode_arg(identifier), encode_arg(host))
        return None if i == NO_IDENTITY else i

    def check_host(self, identity, host, identifier=None):
        """Raise NotPinnedError unless a connection to host selects identity (index or None)."""
        err = error_buffer()
        if lib.mxtls_ctx_check_host(self._ptr, sslcontext.c_identity(identity), encode_arg(identifier),
                                    encode_arg(host), err) != 0:
            raise from_buffer(err)

    def ssl_context(self, host=None, identifier=None):
        """A ready, sealed ssl.SSLContext for the identity select(host, identifier) picks.

        Built once per (identity, identifier) and shared. It refuses (NotPinnedError)
        to connect to a host that would select another identity.
        """
        identity = self.select(host, identifier)
        ptr = self._ptr
        return self._ssl_cache.get((identity, identifier),
                                   lambda: sslcontext.build(ptr, identity, identifier, self.tls_versions))

    def context(self):
        """This context (so a Context and a Runtime can be used alike as a source)."""
        return self

    def close(self):
        """Drop this object's reference; SSLContexts already handed out keep their own."""
        self._ssl_cache.clear()
        super().close()

    def __repr__(self):
        if self.closed:
            return "<mxtls.Context closed>"
        return f"<mxtls.Context {len(self.identities)} identities, {self.trust_count} authorities>"


def env_block(env):
    """EnvBlock for a mapping, or for os.environ when env is None (a snapshot)."""
    return EnvBlock(os.environ if env is None else env)


def from_env(env=None):
    """A Context from the platform environment (CLIENT_CERTIFICATES, MXTLS_*_FILE, ...).

    env: a mapping of variables, or None for os.environ. See the README's
    "Environment" section of libmxtls for the variables.
    """
    err = error_buffer()
    with env_block(env) as envp:
        cfg = lib.mxtls_config_from_env(envp, err)
    if not cfg:
        raise from_buffer(err)
    try:
        warnings = _config_warnings(cfg)
        ptr = lib.mxtls_ctx_new(cfg, err)
    finally:
        lib.mxtls_config_free(cfg)
    if not ptr:
        raise from_buffer(err)
    return Context._adopt(ptr, warnings)
