"""The private PKI of the interop run, made once per run with the openssl tool.

Server side: a root CA, an intermediate (int1) under it and a second intermediate (int2)
under int1; one server leaf per key type, issued by int1 (and one RSA leaf by int2, for
the three-level chain). Client side: its own CA and one .p12 identity per key type
(openssl pkcs12 -export, each with a distinct CN). Plus an unrelated CA, whose name a
server may list in its CertificateRequest instead of the client CA's.
"""
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor

PW = "interop pw"

# Key type -> openssl genpkey options. Each key is made once and serves both a server
# leaf and a client identity (RSA-4096 takes seconds to make).
KEY_OPTS = {
    "rsa2048": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    "rsa3072": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"],
    "rsa4096": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"],
    "p256": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    "p384": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
    "p521": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
    "ed25519": ["-algorithm", "ED25519"],
    "rsapss": ["-algorithm", "RSA-PSS", "-pkeyopt", "rsa_keygen_bits:2048"],
}
SERVER_KEYS = list(KEY_OPTS)
CLIENT_KEYS = ["rsa2048", "rsa3072", "rsa4096", "p256", "p384", "p521"]

CA_EXT = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
SRV_EXT = "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
CLI_EXT = "extendedKeyUsage=clientAuth\n"


def sh(*cmd):
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}: {r.stderr.strip()}")


def client_cn(kind):
    return f"interop client {kind}"


class PKI:
    def __init__(self, d):
        self.d = d
        os.makedirs(d, exist_ok=True)
        self.serial = 1000

    def path(self, name):
        return os.path.join(self.d, name)

    def _write(self, name, text):
        with open(self.path(name), "w") as f:
            f.write(text)
        return self.path(name)

    def _cat(self, name, *files):
        return self._write(name, "".join(open(f).read() for f in files))

    def _key(self, kind):
        k = self.path(f"key-{kind}.key")
        if not os.path.exists(k):
            sh("openssl", "genpkey", *KEY_OPTS[kind], "-out", k)
        return k

    def _cert(self, name, subj, key, issuer, ext):
        """A certificate for key; issuer is (cert, key) or None for self-signed."""
        out, e = self.path(name + ".pem"), self._write(name + ".ext", ext)
        self.serial += 1
        if issuer is None:
            sh("openssl", "req", "-x509", "-new", "-key", key, "-subj", subj, "-days", "30",
               "-set_serial", str(self.serial), "-extensions", "v3", "-config", self._req_conf(ext),
               "-out", out)
        else:
            csr = self.path(name + ".csr")
            sh("openssl", "req", "-new", "-key", key, "-subj", subj, "-out", csr)
            sh("openssl", "x509", "-req", "-in", csr, "-CA", issuer[0], "-CAkey", issuer[1],
               "-set_serial", str(self.serial), "-days", "30", "-extfile", e, "-out", out)
        return out

    def _req_conf(self, ext):
        # openssl req -x509 takes extensions from a config section only.
        return self._write(f"req-{self.serial}.cnf",
                           "[req]\ndistinguished_name=dn\n[dn]\n[v3]\n" + ext)

    def make(self, server_keys=SERVER_KEYS, client_keys=CLIENT_KEYS):
        kinds = sorted(set(server_keys) | set(client_keys) | {"p256"})
        # Two cores: two openssl keygens at a time.
        with ThreadPoolExecutor(2) as ex:
            list(ex.map(self._key, sorted(kinds, key=lambda k: k != "rsa4096")))  # slowest first
        ca_key = self._key("p256")  # CAs share one P-256 key: it only signs
        self.root = self._cert("srv-root", "/O=Interop/CN=Interop Server Root CA", ca_key, None, CA_EXT)
        self.int1 = self._cert("srv-int1", "/O=Interop/CN=Interop Server Intermediate 1", ca_key,
                               (self.root, ca_key), CA_EXT)
        self.int2 = self._cert("srv-int2", "/O=Interop/CN=Interop Server Intermediate 2", ca_key,
                               (self.int1, ca_key), CA_EXT)
        self.client_ca = self._cert("cli-ca", "/O=Interop/CN=Interop Client CA", ca_key, None, CA_EXT)
        self.other_ca = self._cert("other-ca", "/O=Interop/CN=Interop Other CA", ca_key, None, CA_EXT)
        self.unrelated = self._cert("unrelated", "/O=Elsewhere/CN=Unrelated Certificate", ca_key, None,
                                    "basicConstraints=critical,CA:FALSE\n")
        # Server leaves: (key, leaf cert) per key type, all under int1.
        self.servers = {}
        for kind in server_keys:
            leaf = self._cert(f"srv-{kind}", "/O=Interop/CN=localhost", self._key(kind),
                              (self.int1, ca_key), SRV_EXT)
            self.servers[kind] = (self._key(kind), leaf)
        self.leaf_under_int2 = self._cert("srv-rsa2048-int2", "/O=Interop/CN=localhost",
                                          self._key("rsa2048"), (self.int2, ca_key), SRV_EXT)
        # Client identities: one .p12 per key type, each its own CN.
        self.clients = {}
        for kind in client_keys:
            leaf = self._cert(f"cli-{kind}", f"/O=Interop/CN={client_cn(kind)}", self._key(kind),
                              (self.client_ca, ca_key), CLI_EXT)
            p12 = self.path(f"cli-{kind}.p12")
            sh("openssl", "pkcs12", "-export", "-inkey", self._key(kind), "-in", leaf,
               "-certfile", self.client_ca, "-name", client_cn(kind), "-passout", "pass:" + PW,
               "-out", p12)
            self.clients[kind] = p12
        return self

    def chain(self, kind, order="normal"):
        """What a server with key kind sends, in the given order: (key, all certificates in one
        PEM file, the leaf alone, the rest or None). gnutls-serv takes the first, s_server the others."""
        key, leaf = self.servers[kind]
        assert order != "leaf-int1-int2" or kind == "rsa2048", "the int2 leaf has the RSA-2048 key"
        certs = {
            "normal": [leaf, self.int1],
            "leaf-root-int": [leaf, self.root, self.int1],
            "leaf-int1-int2": [self.leaf_under_int2, self.int1, self.int2],
            "extra": [leaf, self.int1, self.unrelated],
            "leaf-only": [leaf],
        }[order]
        full = self._cat(f"chain-{kind}-{order}.pem", *certs)
        rest = self._cat(f"rest-{kind}-{order}.pem", *certs[1:]) if certs[1:] else None
        return key, full, certs[0], rest
