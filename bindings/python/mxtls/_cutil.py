"""Small ctypes helpers: owned handles, C string arrays, buffers we wipe.

Why these exist: every C object the binding owns must be freed exactly once,
whether by close(), a with-block or garbage collection (weakref.finalize), and
every buffer that held a password or an environment with passwords must be
zeroed by us before Python forgets it (Python never wipes memory it frees).
"""
import ctypes
import os
import threading
import weakref


class Handle:
    """One owned C pointer, freed once by close() or when garbage-collected."""

    __slots__ = ("_ptr", "_finalizer", "__weakref__")

    def __init__(self, ptr, free):
        if not ptr:
            raise ValueError("NULL handle")
        self._ptr = ptr
        self._finalizer = weakref.finalize(self, free, ptr)

    @property
    def ptr(self):
        if not self._finalizer.alive:
            raise ValueError("the object is closed")
        return self._ptr

    @property
    def closed(self):
        return not self._finalizer.alive

    def close(self):
        self._finalizer()


class Owned:
    """close(), closed and with-blocks for a wrapper whose C object is self._handle (a Handle)."""

    @property
    def closed(self):
        return self._handle.closed

    def close(self):
        """Free the C object now (idempotent); otherwise garbage collection does."""
        self._handle.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def wipe(buf):
    """Zero a bytearray or ctypes buffer in place."""
    if isinstance(buf, bytearray):
        n = len(buf)
        if n:
            view = (ctypes.c_char * n).from_buffer(buf)
            ctypes.memset(ctypes.addressof(view), 0, n)
            del view
    elif buf is not None:
        ctypes.memset(ctypes.addressof(buf), 0, ctypes.sizeof(buf))


def secret_bytes(value, what="password"):
    """A bytearray copy of a str/bytes secret, for the caller to wipe after use."""
    if value is None:
        return bytearray()
    if isinstance(value, str):
        return bytearray(value, "utf-8")
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytearray(value)
    raise TypeError(f"{what} must be str or bytes, not {type(value).__name__}")


def char_view(buf):
    """A c_char array over a bytearray's memory (no copy), or None for an empty one."""
    return (ctypes.c_char * len(buf)).from_buffer(buf) if len(buf) else None


def text(b):
    """A C string (bytes or None) as str."""
    return None if b is None else b.decode("utf-8", "replace")


def encode_arg(s):
    """A Python string argument (host, identifier, pin, path) as C bytes; None stays NULL."""
    if s is None:
        return None
    if isinstance(s, bytes):
        b = s
    elif isinstance(s, str):
        b = s.encode("utf-8")
    else:
        raise TypeError(f"expected str, not {type(s).__name__}")
    if b"\0" in b:
        raise ValueError("a NUL character cannot be passed to libmxtls")
    return b


def string_array(items):
    """A (c_char_p * n) array of encoded strings (pins), with n."""
    enc = [encode_arg(i) for i in items]
    return (ctypes.c_char_p * max(len(enc), 1))(*enc), len(enc)


class EnvBlock:
    """A NULL-terminated char *envp[] of "NAME=value" built in buffers we wipe.

    The environment may hold passwords (CLIENT_CERTIFICATES), so each entry is
    assembled directly in a ctypes buffer (no joined bytes object) and zeroed by
    wipe(); libmxtls copies what it needs before the call returns.
    """

    def __init__(self, env):
        self._bufs = []
        for k, v in env.items():
            k, v = os.fsencode(k), os.fsencode(v)
            if b"=" in k or b"\0" in k or b"\0" in v or not k:
                raise ValueError(f"invalid environment variable name or value for {k!r}")
            buf = ctypes.create_string_buffer(len(k) + len(v) + 2)
            buf[0:len(k)] = k
            buf[len(k):len(k) + 1] = b"="
            buf[len(k) + 1:len(k) + 1 + len(v)] = v
            self._bufs.append(buf)
        self.array = (ctypes.c_char_p * (len(self._bufs) + 1))(
            *[ctypes.cast(b, ctypes.c_char_p) for b in self._bufs], None)

    def wipe(self):
        for b in self._bufs:
            wipe(b)

    def __enter__(self):
        return self.array

    def __exit__(self, *exc):
        self.wipe()


class KeyedCache:
    """A small thread-safe map built on demand: value = make(key), made once per key."""

    def __init__(self):
        self._lock = threading.Lock()
        self._items = {}

    def get(self, key, make):
        item = self._items.get(key)
        if item is not None:
            return item
        with self._lock:
            item = self._items.get(key)
            if item is None:
                item = make()
                self._items[key] = item
            return item

    def clear(self):
        with self._lock:
            self._items.clear()


class InputBuffer:
    """(pointer argument, length) for bytes-like input that may hold a private key.

    bytes are passed as they are and bytearrays and writable memoryviews through a
    view of their own memory: no copy. A read-only memoryview (of bytes, mmap...)
    cannot be viewed by ctypes, so it is copied into a bytearray that exit() zeroes.
    Use as a with-block: `with InputBuffer(data) as (arg, n): ...`.
    """

    def __init__(self, data):
        self._copy = None
        if isinstance(data, bytes):
            self.arg, self.n = data, len(data)
            return
        if isinstance(data, memoryview):
            mv = data if data.format == "B" and data.ndim == 1 else data.cast("B")
            if mv.readonly:
                self._copy = bytearray(mv)
                data = self._copy
            else:
                self.n = mv.nbytes
                self.arg = (ctypes.c_char * self.n).from_buffer(mv) if self.n else None
                return
        if not isinstance(data, bytearray):
            raise TypeError(f"expected bytes, bytearray or memoryview, not {type(data).__name__}")
        self.n = len(data)
        self.arg = char_view(data)

    def __enter__(self):
        return self.arg, self.n

    def __exit__(self, *exc):
        self.arg = None  # release the view first: a bytearray with a view cannot be resized
        wipe(self._copy)
