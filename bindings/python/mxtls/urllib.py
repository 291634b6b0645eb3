"""urllib.request and http.client integration.

    import mxtls, mxtls.urllib
    opener = mxtls.urllib.build_opener(rt)       # rt: a Runtime or Context
    opener.open("https://api.partner.example/")

The handler chooses the SSLContext for each request's host, so a redirect (a
new Request) is selected again. With http.client directly, pass the context
for the host you connect to:

    conn = http.client.HTTPSConnection(host, port, context=ctx.ssl_context(host=host))
"""
import http.client
import urllib.parse
import urllib.request

__all__ = ["HTTPSHandler", "build_opener"]


class HTTPSHandler(urllib.request.HTTPSHandler):
    """An HTTPSHandler presenting the identity the request's host selects."""

    def __init__(self, source, identifier=None, debuglevel=0):
        super().__init__(debuglevel=debuglevel)
        self.source = source
        self.identifier = identifier

    def https_open(self, req):
        host = urllib.parse.urlsplit(req.full_url).hostname  # the target, also through a proxy
        sslctx = self.source.ssl_context(host=host, identifier=self.identifier)
        return self.do_open(http.client.HTTPSConnection, req, context=sslctx)


def build_opener(source, *handlers, identifier=None):
    """urllib.request.build_opener with HTTPSHandler(source, identifier) in place of the default."""
    return urllib.request.build_opener(HTTPSHandler(source, identifier), *handlers)
