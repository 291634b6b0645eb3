"""aiohttp integration: a TCPConnector that picks the identity per request host.

    import mxtls, mxtls.aiohttp
    async with mxtls.aiohttp.ClientSession(rt) as session:   # rt: a Runtime or Context
        async with session.get("https://api.partner.example/") as r: ...

aiohttp 3.8 asks its connector for the SSLContext of each new connection
(TCPConnector._get_ssl_context(req)); we answer with the source's context for
req.host. Pooled keep-alive connections are keyed by host and port, so one host
never gets another host's connection; after a rotation, connections already
open keep their identity until they close (new ones get the new material).
ssl=False or an explicit SSLContext per request is refused: trust is mxtls's.
"""
import aiohttp

__all__ = ["Connector", "ClientSession"]


class Connector(aiohttp.TCPConnector):
    """TCPConnector with identity and trust from an mxtls Context or Runtime."""

    def __init__(self, source, identifier=None, **kwargs):
        super().__init__(**kwargs)
        self.source = source
        self.identifier = identifier

    def _get_ssl_context(self, req):
        if not req.is_ssl():
            return None
        if req.ssl is not None:
            raise ValueError("mxtls provides the SSL context: do not pass ssl= to the request")
        return self.source.ssl_context(host=req.host, identifier=self.identifier)


def ClientSession(source, identifier=None, **kwargs):
    """An aiohttp.ClientSession using Connector(source, identifier). Call from a running loop."""
    return aiohttp.ClientSession(connector=Connector(source, identifier), **kwargs)
