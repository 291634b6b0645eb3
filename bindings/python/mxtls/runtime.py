"""Runtime: the context built from the environment, replaced when its sources change.

Events use libmxtls's queue mode (mxtls_event_queue as the callback): no Python
code ever runs on a library thread. Read them with events(), or register
event_fd with selectors / asyncio's loop.add_reader and call events() when it
is readable.

watch=True reloads when the source files change (rename-over-write,
Kubernetes' ..data swap). No signal is taken over: a Python application that
wants SIGHUP to reload does it with its own handler:

    signal.signal(signal.SIGHUP, lambda *a: rt.reload())
"""
import collections
import ctypes
import threading

from ._cutil import EnvBlock, Handle, Owned, text
from ._lib import lib
from .context import Context
from .errors import error_buffer, from_buffer

Event = collections.namedtuple("Event", "kind number message")
Event.__doc__ = "A runtime event: kind is the stable name (\"reloaded\", \"reload_failed\", \"expiring\", ...)."

_QUEUE = ctypes.cast(lib.mxtls_event_queue, ctypes.c_void_p)  # the C function's address
_MESSAGE_SIZE = 1024


class Runtime(Owned):
    """The current Context from the environment, rotated without restart. Thread-safe."""

    def __init__(self, env=None, watch=True):
        """env: a mapping of variables (copied once), or None for the live process
        environment, read again on every reload. Raises ConfigError, ExpiredError, ...
        """
        err = error_buffer()
        if env is None:
            ptr = lib.mxtls_runtime_new(None, _QUEUE, None, err)
        else:
            with EnvBlock(env) as envp:
                ptr = lib.mxtls_runtime_new(envp, _QUEUE, None, err)
        if not ptr:
            raise from_buffer(err)
        self._handle = Handle(ptr, lib.mxtls_runtime_free)
        self._lock = threading.Lock()
        self._current = None  # (generation read before fetching, C pointer, Context)
        if watch:
            if lib.mxtls_runtime_watch(ptr, 0, err) != 0:
                self._handle.close()
                raise from_buffer(err)

    @property
    def generation(self):
        """How many contexts have been installed (1 after start-up)."""
        return lib.mxtls_runtime_generation(self._handle.ptr)

    def context(self):
        """The current Context. One Python object per generation, so its cached
        SSLContexts (and the connection pools keyed by them) are reused until a rotation."""
        rt = self._handle.ptr
        generation = lib.mxtls_runtime_generation(rt)
        current = self._current
        if current is not None and current[0] >= generation:
            return current[2]
        with self._lock:
            current = self._current
            if current is not None and current[0] >= generation:
                return current[2]
            ptr = lib.mxtls_runtime_ctx(rt)  # at least as new as `generation`
            if current is not None and current[1] == ptr:
                lib.mxtls_ctx_free(ptr)  # same context (reload found nothing new)
                ctx = current[2]
            else:
                ctx = Context._adopt(ptr)
            self._current = (generation, ptr, ctx)
            return ctx

    def ssl_context(self, host=None, identifier=None):
        """The current context's ssl_context(): new connections after a rotation get the new material."""
        return self.context().ssl_context(host=host, identifier=identifier)

    def select(self, host=None, identifier=None):
        return self.context().select(host=host, identifier=identifier)

    def reload(self):
        """Rebuild from the same sources now; raises (and keeps the current context) on failure."""
        err = error_buffer()
        if lib.mxtls_runtime_reload(self._handle.ptr, err) != 0:
            raise from_buffer(err)

    @property
    def event_fd(self):
        """A descriptor that polls readable while events wait. Owned by the runtime: do not close it."""
        return lib.mxtls_runtime_event_fd(self._handle.ptr)

    def events(self):
        """Take every waiting event, oldest first (a list, possibly empty)."""
        rt = self._handle.ptr
        kind = ctypes.c_int()
        buf = ctypes.create_string_buffer(_MESSAGE_SIZE)
        out = []
        while lib.mxtls_runtime_next_event(rt, ctypes.byref(kind), buf, _MESSAGE_SIZE) == 1:
            out.append(Event(text(lib.mxtls_event_name(kind.value)), kind.value, text(buf.value)))
        return out

    def close(self):
        """Stop watching and drop the runtime's context (Contexts handed out stay valid).
        Remove event_fd from your poller first."""
        self._current = None
        super().close()

    def __repr__(self):
        return "<mxtls.Runtime closed>" if self.closed else f"<mxtls.Runtime generation {self.generation}>"
