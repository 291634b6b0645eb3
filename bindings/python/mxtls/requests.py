"""requests integration: an HTTPAdapter that picks the identity per request host.

    import mxtls, mxtls.requests
    session = mxtls.requests.Session(mxtls.Runtime())   # or a Context
    session.get("https://api.partner.example/")

How (requests 2.28 on urllib3 1.26):
- get_connection() asks the source (Context or Runtime) for the SSLContext of the
  request's host and passes it in urllib3's pool_kwargs. urllib3 keys its pools
  by ssl_context too, so each (context generation, identity) has its own pools,
  a redirect to another host is selected again, and after a rotation new
  connections use the new material (old pools age out of the PoolManager's LRU).
- The pool a (scheme, host, port) went to is remembered with the Context it was
  selected in and urllib3's pool key: the next request there skips selection and
  urllib3's URL parsing and key building, and still goes through the
  PoolManager's LRU (so a pool it closed is never used). A rotation makes a new
  Context, hence a new selection and new pools. Proxied requests are not cached.
- cert_verify() is replaced, and our pools drop urllib3's default CA file: requests
  (and Debian's urllib3) would otherwise load a CA bundle into the shared SSLContext. Trust comes from libmxtls only. verify=False and cert= are
  refused rather than silently ignored.
- urllib3 1.26 does not pass server_hostname to wrap_socket for IP addresses
  (and then relies on its own matching, which a check_hostname context forbids);
  our connection class gives the pool's host to wrap_socket, so IP hosts are
  verified by OpenSSL and checked against the pins like names.
"""
import weakref
from urllib.parse import urlparse

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool, port_by_scheme
from urllib3.util.url import parse_url

__all__ = ["Adapter", "Session"]

_MAX_REMEMBERED = 256  # origins an adapter remembers; beyond, it starts over


class _HostBoundContext:
    """A view of a shared SSLContext that always names the connection's host."""

    def __init__(self, sslctx, host):
        object.__setattr__(self, "_ctx", sslctx)
        object.__setattr__(self, "_host", host)

    def wrap_socket(self, sock, server_hostname=None, **kwargs):
        return self._ctx.wrap_socket(sock, server_hostname=server_hostname or self._host, **kwargs)

    def wrap_bio(self, incoming, outgoing, server_hostname=None, **kwargs):
        return self._ctx.wrap_bio(incoming, outgoing, server_hostname=server_hostname or self._host, **kwargs)

    def __getattr__(self, name):
        return getattr(self._ctx, name)

    def __setattr__(self, name, value):
        setattr(self._ctx, name, value)


class _Connection(HTTPSConnection):
    def connect(self):
        shared = self.ssl_context
        if shared is not None:
            self.ssl_context = _HostBoundContext(shared, self._tunnel_host or self.host)
        try:
            super().connect()
        finally:
            self.ssl_context = shared


class _Pool(HTTPSConnectionPool):
    """A pool whose connections take trust from the SSLContext only.

    Debian's urllib3 gives every HTTPS pool ca_certs=/etc/ssl/certs/ca-certificates.crt
    by default, which it would load into our shared context (the sealed context refuses).
    """

    ConnectionCls = _Connection

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ca_certs = self.ca_cert_dir = self.ca_cert_data = None


def _use_our_pools(manager):
    manager.pool_classes_by_scheme = {"http": HTTPConnectionPool, "https": _Pool}
    return manager


class Adapter(HTTPAdapter):
    """Mount on "https://": identity and trust from an mxtls Context or Runtime, per request host."""

    def __init__(self, source, identifier=None, **kwargs):
        self.source = source
        self.identifier = identifier
        self._pools = {}  # (scheme, netloc) -> (weak ref to a Context, urllib3 pool key)
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        _use_our_pools(self.poolmanager)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        fresh = proxy not in self.proxy_manager
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        return _use_our_pools(manager) if fresh else manager

    def cert_verify(self, conn, url, verify, cert):
        if verify is False:
            raise ValueError("mxtls always verifies the server: verify=False is not supported")
        if cert:
            raise ValueError("the client certificate comes from mxtls: do not pass cert=")

    def get_connection(self, url, proxies=None):
        proxy = requests.utils.select_proxy(url, proxies)
        if not proxy:
            return self._direct_pool(url)
        parsed = urlparse(url)
        pool_kwargs = {"ssl_context": self.source.ssl_context(host=parsed.hostname, identifier=self.identifier)}
        proxy = requests.utils.prepend_scheme_if_needed(proxy, "http")
        if not parse_url(proxy).host:
            raise requests.exceptions.InvalidProxyURL("Please check proxy URL. It is malformed"
                                                      " and could be missing the host.")
        return self.proxy_manager_for(proxy).connection_from_url(url, pool_kwargs=pool_kwargs)

    def _direct_pool(self, url):
        ctx = self.source.context()  # a Runtime's current one: a new object after each rotation
        origin = url.split("/", 3)[:3]  # requests hands absolute URLs: ["https:", "", "host:port"]
        origin = (origin[0].lower(), origin[-1])
        known = self._pools.get(origin)
        if known is not None and known[0]() is ctx and not ctx.closed:
            pool = self.poolmanager.pools.get(known[1])  # refreshes its place in the LRU
            if pool is not None:
                return pool
        u = parse_url(url)
        scheme = (u.scheme or "http").lower()
        request_context = dict(self.poolmanager.connection_pool_kw)
        request_context.update(scheme=scheme, host=u.host, port=u.port or port_by_scheme.get(scheme, 80),
                               ssl_context=ctx.ssl_context(host=urlparse(url).hostname, identifier=self.identifier))
        key = self.poolmanager.key_fn_by_scheme[scheme](request_context)
        pool = self.poolmanager.connection_from_pool_key(key, request_context=request_context)
        if len(self._pools) >= _MAX_REMEMBERED:
            self._pools.clear()
        self._pools[origin] = (weakref.ref(ctx), key)  # weak: an old context's keys go with it
        return pool


class Session(requests.Session):
    """A requests.Session whose https:// requests use mxtls (identity per host)."""

    def __init__(self, source, identifier=None, **adapter_kwargs):
        super().__init__()
        self.mount("https://", Adapter(source, identifier, **adapter_kwargs))
