"""The hand-off to Python's ssl module: an ssl.SSLContext for one identity.

Why it looks like this:
- Python's ssl cannot take a key from memory, only from a file. The chain and
  key are written from libmxtls's export buffer (read in place through a ctypes
  view, never copied into a Python bytes object) into a sealed memfd, loaded as
  /proc/self/fd/N, and the descriptor is closed at once; the export buffer is
  wiped by mxtls_free_secret. Nothing is written to any file system.
- Trust: when the context trusts the platform roots, Python loads them itself
  (load_default_certs) and only the few KB of added authorities are passed;
  otherwise only the added authorities are trusted.
- A context is built for the identity one host selects. PinnedSSLContext asks
  libmxtls (mxtls_ctx_check_host) on every wrap_socket/wrap_bio whether the
  host it is about to connect to selects that same identity, and raises
  NotPinnedError otherwise: a redirect or a reused context cannot present an
  identity to a host it is not pinned to.
- TLS sessions are resumed per server (host name and port) by every
  connection made with wrap_socket(), as Node's agents and the JDK do and as
  Python's ssl does not by itself: a connection gives its session back to its
  SSLContext when it is closed, and the next one to that server offers it. One
  SSLContext is one (context, identity), so a session never crosses identities,
  contexts or rotations. wrap_bio() (asyncio) is not resumed.
- It is sealed after set-up: what would widen trust or change the identity
  (load_verify_locations, load_cert_chain, verify_mode other than
  CERT_REQUIRED, check_hostname off) raises, since one instance is shared by
  every request for its (context, identity).
"""
import ctypes
import fcntl
import os
import ssl

from ._cutil import Handle, encode_arg
from ._lib import NO_IDENTITY, lib
from .errors import error_buffer, from_buffer

_SEALS = fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_WRITE | fcntl.F_SEAL_SEAL


def _host_bytes(server_hostname):
    if server_hostname is None:
        return None
    if isinstance(server_hostname, bytes):
        return server_hostname
    try:
        return server_hostname.encode("ascii")
    except UnicodeEncodeError:
        return server_hostname.encode("idna")  # what ssl sends as SNI for an international name


_MAX_SESSIONS = 256  # servers whose last session a context keeps


class ResumingSSLSocket(ssl.SSLSocket):
    """An SSLSocket that gives its TLS session back to its context when it is closed."""

    def close(self):
        keep = getattr(self.context, "_mxtls_keep_session", None)  # None if the app swapped the context
        try:
            if keep is not None:
                keep(self)
        except (ValueError, OSError):
            pass  # a session not kept costs one full handshake; a close must not fail for it
        finally:
            super().close()


def _server_key(sock, server_hostname):
    """(host name, port) of the server sock is connected to, or None (not connected yet)."""
    try:
        return (server_hostname, sock.getpeername()[1]) if server_hostname else None
    except OSError:
        return None


class PinnedSSLContext(ssl.SSLContext):
    """An SSLContext that presents one identity, and only to hosts that select it."""

    sslsocket_class = ResumingSSLSocket

    def _mxtls_check(self, server_hostname):
        err = error_buffer()
        if lib.mxtls_ctx_check_host(self._mxtls_handle.ptr, c_identity(self.mxtls_identity), self._mxtls_identifier,
                                    _host_bytes(server_hostname), err) != 0:
            raise from_buffer(err)

    def _mxtls_keep_session(self, ssock):
        key, session = ssock.__dict__.get("_mxtls_server"), ssock.session
        sessions = self.__dict__.get("_mxtls_sessions")
        if key is None or session is None or sessions is None:
            return
        sessions.pop(key, None)  # to the end: the oldest server goes first
        sessions[key] = session
        while len(sessions) > _MAX_SESSIONS:
            sessions.pop(next(iter(sessions)), None)

    def wrap_socket(self, sock, server_side=False, do_handshake_on_connect=True,
                    suppress_ragged_eofs=True, server_hostname=None, session=None):
        self._mxtls_check(server_hostname)
        key = None if server_side else _server_key(sock, server_hostname)
        if session is None and key is not None:
            session = self.__dict__.get("_mxtls_sessions", {}).get(key)
        ssock = super().wrap_socket(sock, server_side=server_side,
                                    do_handshake_on_connect=do_handshake_on_connect,
                                    suppress_ragged_eofs=suppress_ragged_eofs,
                                    server_hostname=server_hostname, session=session)
        ssock.__dict__["_mxtls_server"] = key
        return ssock

    def wrap_bio(self, incoming, outgoing, server_side=False, server_hostname=None, session=None):
        self._mxtls_check(server_hostname)
        return super().wrap_bio(incoming, outgoing, server_side=server_side,
                                server_hostname=server_hostname, session=session)

    # ---- sealing ----
    def _mxtls_sealed(self):
        return self.__dict__.get("_mxtls_sealed_flag", False)

    def _refuse(self, what):
        if self._mxtls_sealed():
            raise ValueError(f"this SSLContext is shared and owned by mxtls: {what} is not allowed")

    @property
    def verify_mode(self):
        return ssl.SSLContext.verify_mode.__get__(self)

    @verify_mode.setter
    def verify_mode(self, value):
        if value != ssl.CERT_REQUIRED:
            self._refuse("lowering verify_mode")
        ssl.SSLContext.verify_mode.__set__(self, value)

    @property
    def check_hostname(self):
        return ssl.SSLContext.check_hostname.__get__(self)

    @check_hostname.setter
    def check_hostname(self, value):
        if not value:
            self._refuse("turning check_hostname off")
        ssl.SSLContext.check_hostname.__set__(self, value)

    @property
    def minimum_version(self):
        return ssl.SSLContext.minimum_version.__get__(self)

    @minimum_version.setter
    def minimum_version(self, value):
        if value < ssl.TLSVersion.TLSv1_2 and value != ssl.TLSVersion.MAXIMUM_SUPPORTED:
            self._refuse("a minimum below TLS 1.2")
        ssl.SSLContext.minimum_version.__set__(self, value)

    def load_cert_chain(self, *args, **kwargs):
        self._refuse("load_cert_chain")
        return super().load_cert_chain(*args, **kwargs)

    def load_verify_locations(self, *args, **kwargs):
        self._refuse("load_verify_locations")
        return super().load_verify_locations(*args, **kwargs)

    def load_default_certs(self, *args, **kwargs):
        self._refuse("load_default_certs")
        return super().load_default_certs(*args, **kwargs)

    def set_default_verify_paths(self):
        self._refuse("set_default_verify_paths")
        return super().set_default_verify_paths()

    @property
    def mxtls_identifier(self):
        return None if self._mxtls_identifier is None else self._mxtls_identifier.decode()

    def __repr__(self):
        ident = "none" if self.mxtls_identity is None else self.mxtls_identity
        return f"<mxtls.PinnedSSLContext identity={ident} identifier={self.mxtls_identifier!r}>"


def _export(fn, nbufs, ctx_ptr, *args):
    """Call a PEM export with nbufs (buffer, length) outputs; returns [(address, length), ...]."""
    err = error_buffer()
    bufs = [(ctypes.c_void_p(), ctypes.c_size_t()) for _ in range(nbufs)]
    out_args = [a for b in bufs for a in (ctypes.byref(b[0]), ctypes.byref(b[1]))]
    if fn(ctx_ptr, *args, *out_args, err) != 0:
        raise from_buffer(err)
    return [(p.value, n.value) for p, n in bufs]


def _write_all(fd, address, length):
    """Write C memory to fd through a buffer view: no Python bytes copy of a key is made."""
    if not length:
        return
    view = memoryview((ctypes.c_char * length).from_address(address)).cast("B")
    try:
        done = 0
        while done < length:
            done += os.write(fd, view[done:])
    finally:
        view.release()


def _load_identity(sslctx, ctx_ptr, index):
    (chain, chain_len), (key, key_len) = _export(lib.mxtls_ctx_export_identity_pem, 2, ctx_ptr, index)
    try:
        fd = os.memfd_create("mxtls-identity", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
        try:
            _write_all(fd, chain, chain_len)
            os.write(fd, b"\n")  # the key's PEM block must start on its own line
            _write_all(fd, key, key_len)
            fcntl.fcntl(fd, fcntl.F_ADD_SEALS, _SEALS)
            ssl.SSLContext.load_cert_chain(sslctx, f"/proc/self/fd/{fd}")
        finally:
            os.close(fd)
    finally:
        lib.mxtls_free_secret(chain, chain_len)
        lib.mxtls_free_secret(key, key_len)


def _load_trust(sslctx, ctx_ptr):
    if lib.mxtls_ctx_system_root_count(ctx_ptr) > 0:
        ssl.SSLContext.load_default_certs(sslctx, ssl.Purpose.SERVER_AUTH)
    [(pem, n)] = _export(lib.mxtls_ctx_export_added_trust_pem, 1, ctx_ptr)
    try:
        added = ctypes.string_at(pem, n).decode("ascii") if n else ""  # public certificates
    finally:
        lib.mxtls_free_secret(pem, n)
    if added.strip():
        ssl.SSLContext.load_verify_locations(sslctx, cadata=added)


def build(ctx_ptr, identity, identifier, versions):
    """A sealed PinnedSSLContext for identity (index or None) of the context ctx_ptr."""
    sslctx = PinnedSSLContext(ssl.PROTOCOL_TLS_CLIENT)
    sslctx.__dict__["_mxtls_handle"] = Handle(lib.mxtls_ctx_ref(ctx_ptr), lib.mxtls_ctx_free)
    sslctx.__dict__["mxtls_identity"] = identity
    sslctx.__dict__["_mxtls_identifier"] = encode_arg(identifier)
    sslctx.__dict__["_mxtls_sessions"] = {}  # (host name, port) -> the last ssl.SSLSession
    sslctx.verify_mode = ssl.CERT_REQUIRED
    sslctx.check_hostname = True
    sslctx.minimum_version, sslctx.maximum_version = versions
    _load_trust(sslctx, ctx_ptr)
    if identity is not None:
        _load_identity(sslctx, ctx_ptr, identity)
    sslctx.__dict__["_mxtls_sealed_flag"] = True
    return sslctx


def c_identity(identity):
    return NO_IDENTITY if identity is None else identity
