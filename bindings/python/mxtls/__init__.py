"""mxtls: client certificates (PKCS#12) and private authorities for Python HTTP clients.

A ctypes binding of libmxtls. The core needs only the standard library:

    import mxtls
    p12 = mxtls.load_pkcs12("client.p12", password)
    cfg = mxtls.Config()
    cfg.add_identity(p12, pins=["api.partner.example"])
    cfg.add_trust(mxtls.load_trust("partner-ca.pem"))
    ctx = cfg.build()
    sslctx = ctx.ssl_context(host="api.partner.example")   # a ready ssl.SSLContext

or, from the platform environment with rotation:

    rt = mxtls.Runtime()                  # CLIENT_CERTIFICATES, MXTLS_*_FILE, ...
    session = mxtls.requests.Session(rt)  # import mxtls.requests first

A PKCS#12 from what a CA hands out (certificates, a key in any PEM/DER form):

    der = mxtls.pack(["client.crt", "ca-chain.pem"], "client.key", key_password=kpw, password=pw)

(mxtls.Bundle and mxtls.Pkcs12Writer for more.)

Integrations (imported on demand): mxtls.requests, mxtls.httpx, mxtls.urllib, mxtls.aiohttp.
"""
from ._lib import LibraryError, const, path as library_path, version as library_version
from .bundle import Bundle, Chain, Key
from .certificate import Certificate
from .context import Config, Context, ContextIdentity, from_env
from .errors import Error, error_class
from .errors import __all__ as _error_names
from .pkcs12 import Identity, Pkcs12, Warning, load_pkcs12, read_password_file
from .runtime import Event, Runtime
from .sslcontext import PinnedSSLContext
from .trust import Trust, load_trust, system_trust
from .writer import Pkcs12Writer, pack
from . import errors as _errors

globals().update({name: getattr(_errors, name) for name in _error_names})

__version__ = "0.1.0"

__all__ = ["Bundle", "Certificate", "Chain", "Config", "Context", "ContextIdentity", "Event", "Identity",
           "Key", "LibraryError", "PinnedSSLContext", "Pkcs12", "Pkcs12Writer", "Runtime", "Trust", "Warning",
           "const", "error_class", "from_env", "library_path", "library_version", "load_pkcs12", "load_trust",
           "pack", "read_password_file", "system_trust"] + list(_error_names)
