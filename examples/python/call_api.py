#!/usr/bin/python3
"""Call an HTTPS API with the client certificate and authorities the platform gives.

usage: call_api.py URL

Identity and authorities come from the environment (CLIENT_CERTIFICATES,
CERTIFICATE_AUTHORITIES, MXTLS_CLIENT_CERTIFICATE_FILE, ... see libmxtls's
README, "Environment"). Prints the response body and exits 0 on a 2xx answer.
Otherwise exits non-zero with one line on stderr:
  mxtls: <stable error name>: <message>   (configuration, password, pinning; exit 2)
  tls: <reason>: <message>                (handshake, verification; exit 3)
  http: <status> <reason>                 (a non-2xx answer; exit 4)
  network: <message>                      (connection refused, timeout...; exit 5)

Run from a source tree:
  MXTLS_LIBRARY=build/libmxtls.so.0 PYTHONPATH=bindings/python /usr/bin/python3 examples/python/call_api.py URL
"""
import ssl
import sys

import mxtls


def _fail(code, line):
    print(line, file=sys.stderr)
    return code


def _tls_error(exc):
    """The ssl.SSLError inside a client's wrapper exception, if any."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, ssl.SSLError):
            return exc
        nxt = exc.__cause__ or exc.__context__ or getattr(exc, "reason", None)
        if nxt is None and exc.args and isinstance(exc.args[0], BaseException):
            nxt = exc.args[0]
        exc = nxt if isinstance(nxt, BaseException) else None
    return None


def _get_requests(ctx, url):
    import mxtls.requests
    with mxtls.requests.Session(ctx) as session:
        r = session.get(url, timeout=30)
        return r.status_code, r.reason, r.content


def _get_urllib(ctx, url):
    import urllib.error
    import mxtls.urllib
    try:
        with mxtls.urllib.build_opener(ctx).open(url, timeout=30) as r:
            return r.status, r.reason, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.reason, e.read()


def main(argv):
    if len(argv) != 2:
        return _fail(64, "usage: call_api.py URL")
    url = argv[1]
    try:
        ctx = mxtls.from_env()
        for warning in ctx.warnings:
            print(f"mxtls: warning: {warning}", file=sys.stderr)
        try:
            import requests  # noqa: F401
            get = _get_requests
        except ImportError:
            get = _get_urllib
        status, reason, body = get(ctx, url)
    except mxtls.Error as e:
        return _fail(2, f"mxtls: {e.code}: {e.message}")
    except Exception as e:  # the clients' own exceptions: find what lies beneath
        inner = _tls_error(e)
        if isinstance(inner, mxtls.Error):
            return _fail(2, f"mxtls: {inner.code}: {inner.message}")
        if inner is not None:
            return _fail(3, f"tls: {getattr(inner, 'reason', None) or 'error'}: {inner}")
        return _fail(5, f"network: {e}")
    sys.stdout.buffer.write(body)
    sys.stdout.flush()
    if not 200 <= status < 300:
        return _fail(4, f"http: {status} {reason}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
