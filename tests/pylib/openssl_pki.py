"""A private PKI made with the openssl command, in one directory: what the real-server
tests (tests/tls, the bindings' fixture) give nginx and the clients."""
import os
import subprocess


def _sh(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


class PKI:
    """Keys, certificate authorities, leaves and .p12 files under directory d."""

    def __init__(self, d):
        self.d = d
        os.makedirs(d, exist_ok=True)

    def path(self, name):
        return os.path.join(self.d, name)

    def key(self, name, kind):
        """A new RSA-2048 ("rsa") or P-256 key at NAME.key."""
        k = self.path(name + ".key")
        if kind == "rsa":
            _sh("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", k)
        else:
            _sh("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", k)
        return k

    def ca(self, name, cn):
        """A self-signed P-256 CA: (key, certificate) paths."""
        k = self.key(name, "ec")
        c = self.path(name + ".pem")
        _sh("openssl", "req", "-x509", "-key", k, "-out", c, "-subj", "/CN=" + cn, "-days", "30",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
        return k, c

    def leaf(self, name, cn, ca, kind, ext):
        """A certificate for CN=cn issued by ca with the extensions ext: (key, certificate) paths."""
        k = self.key(name, kind)
        csr, c, e = self.path(name + ".csr"), self.path(name + ".pem"), self.path(name + ".ext")
        with open(e, "w") as f:
            f.write(ext)
        _sh("openssl", "req", "-new", "-key", k, "-out", csr, "-subj", "/CN=" + cn)
        _sh("openssl", "x509", "-req", "-in", csr, "-CA", ca[1], "-CAkey", ca[0], "-CAcreateserial",
            "-days", "30", "-extfile", e, "-out", c)
        os.unlink(csr)
        return k, c

    def p12(self, name, leaf, ca, password):
        """leaf's key and certificate with ca's certificate, as OpenSSL exports them, at NAME.p12."""
        out = self.path(name + ".p12")
        _sh("openssl", "pkcs12", "-export", "-inkey", leaf[0], "-in", leaf[1], "-certfile", ca[1],
            "-passout", "pass:" + password, "-out", out)
        return out
