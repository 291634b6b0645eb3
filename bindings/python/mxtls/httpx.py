"""httpx integration: transports that pick the identity per request host.

    import mxtls, mxtls.httpx
    with mxtls.httpx.Client(rt) as client:           # rt: a Runtime or Context
        client.get("https://api.partner.example/")
    async with mxtls.httpx.AsyncClient(rt) as client: ...

Each request is dispatched to an httpx.HTTPTransport(verify=<SSLContext>) for the
identity its host selects (one transport, hence one connection pool, per
SSLContext: per context generation and identity). The few most recent are kept;
older ones (from before a rotation) are closed.

The helpers default trust_env=False: httpx would otherwise mount its own
transports for proxies from the environment, which would not present the
identity. Pass mounts yourself to use a proxy.
"""
import collections
import threading

import httpx

__all__ = ["Transport", "AsyncTransport", "Client", "AsyncClient"]

_KEEP = 16  # transports kept (identities x recent generations)


class _Dispatch:
    """The SSLContext -> transport table shared by the sync and async transports."""

    def __init__(self, source, identifier, make):
        self.source = source
        self.identifier = identifier
        self._make = make
        self._lock = threading.Lock()
        self._transports = collections.OrderedDict()

    def pick(self, request):
        """(transport, evicted transports to close) for the request's host."""
        sslctx = self.source.ssl_context(host=request.url.host, identifier=self.identifier)
        evicted = []
        with self._lock:
            transport = self._transports.get(sslctx)
            if transport is None:
                transport = self._transports[sslctx] = self._make(sslctx)
                while len(self._transports) > _KEEP:
                    evicted.append(self._transports.popitem(last=False)[1])
            else:
                self._transports.move_to_end(sslctx)
        return transport, evicted

    def take_all(self):
        with self._lock:
            out = list(self._transports.values())
            self._transports.clear()
        return out


class Transport(httpx.BaseTransport):
    """Sync transport: identity and trust from an mxtls Context or Runtime, per request host."""

    def __init__(self, source, identifier=None, **transport_kwargs):
        self._dispatch = _Dispatch(source, identifier,
                                   lambda sslctx: httpx.HTTPTransport(verify=sslctx, **transport_kwargs))

    def handle_request(self, request):
        transport, evicted = self._dispatch.pick(request)
        for old in evicted:
            old.close()
        return transport.handle_request(request)

    def close(self):
        for t in self._dispatch.take_all():
            t.close()


class AsyncTransport(httpx.AsyncBaseTransport):
    """Async transport: as Transport, for httpx.AsyncClient."""

    def __init__(self, source, identifier=None, **transport_kwargs):
        self._dispatch = _Dispatch(source, identifier,
                                   lambda sslctx: httpx.AsyncHTTPTransport(verify=sslctx, **transport_kwargs))

    async def handle_async_request(self, request):
        transport, evicted = self._dispatch.pick(request)
        for old in evicted:
            await old.aclose()
        return await transport.handle_async_request(request)

    async def aclose(self):
        for t in self._dispatch.take_all():
            await t.aclose()


def Client(source, identifier=None, **kwargs):
    """An httpx.Client using Transport(source, identifier)."""
    kwargs.setdefault("trust_env", False)
    return httpx.Client(transport=Transport(source, identifier), **kwargs)


def AsyncClient(source, identifier=None, **kwargs):
    """An httpx.AsyncClient using AsyncTransport(source, identifier)."""
    kwargs.setdefault("trust_env", False)
    return httpx.AsyncClient(transport=AsyncTransport(source, identifier), **kwargs)
