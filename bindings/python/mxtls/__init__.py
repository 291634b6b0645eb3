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

Integrations (imported on demand): mxtls.requests, mxtls.httpx, mxtls.urllib, mxtls.aiohttp.
"""
from ._lib import LibraryError, const, path as library_path, version as library_version
from .certificate import Certificate
from .context import Config, Context, ContextIdentity, from_env
from .errors import Error, error_class
from .errors import __all__ as _error_names
from .pkcs12 import Identity, Pkcs12, Warning, load_pkcs12, read_password_file
from .runtime import Event, Runtime
from .sslcontext import PinnedSSLContext
from .trust import Trust, load_trust, system_trust
from . import errors as _errors

globals().update({name: getattr(_errors, name) for name in _error_names})

__version__ = "0.1.0"

__all__ = ["Certificate", "Config", "Context", "ContextIdentity", "Event", "Identity", "LibraryError",
           "PinnedSSLContext", "Pkcs12", "Runtime", "Trust", "Warning", "const", "error_class",
           "from_env", "library_path", "library_version", "load_pkcs12", "load_trust",
           "read_password_file", "system_trust"] + list(_error_names)
