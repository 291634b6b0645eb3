"""The interop matrix: orthogonal axes, each varied one at a time from a baseline, and the
one table of expected failures.

Baseline: the server sends an RSA-2048 leaf and its intermediate (root -> int1 -> leaf),
the client holds a P-256 identity and trusts the server root, TLS 1.2 and 1.3, default
groups, signature schemes and ciphers.
"""
import re
from dataclasses import dataclass, field

SERVERS = ["gnutls", "openssl"]
CLIENTS = ["debian-libcurl", "debian-libcurl-gnutls", "curl-on-mbedtls", "direct-mbedtls"]

G12 = "NORMAL:-VERS-ALL:+VERS-TLS1.2"
G13 = "NORMAL:-VERS-ALL:+VERS-TLS1.3"
# GnuTLS's signature list also bounds the client's CertificateVerify: keep the P-256
# client's own schemes (TLS 1.2 and 1.3 names) whenever it is narrowed.
G_CLIENT_SIG = "+SIGN-ECDSA-SHA256:+SIGN-ECDSA-SECP256R1-SHA256"


@dataclass
class Cell:
    name: str
    axis: str
    gnutls: str = "NORMAL"          # priority string; None: not applicable on gnutls-serv
    openssl: list = field(default_factory=list)  # s_server options; None: not applicable
    srv_key: str = "rsa2048"
    chain: str = "normal"           # see pki.chain()
    client: str = "p256"            # the identity's key type
    trust: str = "root"             # what the client trusts: the server root or int1
    proto: str = None               # the protocol the server must report
    see: dict = field(default_factory=dict)  # server -> regex the server's report must match
    mode: str = "get"               # get | resume | ca-names
    tickets: bool = True
    no_ems: bool = False


def _cells():
    base = Cell("baseline", "baseline")
    c = [base]
    # protocol
    c += [Cell("proto-tls12", "protocol", G12, ["-tls1_2"], proto="TLSv1.2"),
          Cell("proto-tls13", "protocol", G13, ["-tls1_3"], proto="TLSv1.3"),
          Cell("proto-both", "protocol", "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2",
               ["-no_tls1", "-no_tls1_1"], proto="TLSv1.3")]
    # server key types (the leaf under int1)
    for k in ["rsa3072", "rsa4096", "p256", "p384", "p521", "ed25519", "rsapss"]:
        c.append(Cell(f"srvkey-{k}", "server key", srv_key=k))
    # client identities (each its own CN; the check is the subject the server saw)
    for k in ["rsa2048", "rsa3072", "rsa4096", "p384", "p521"]:
        c.append(Cell(f"clientkey-{k}", "client key", client=k))
    # key exchange groups, one at a time
    for g, gg, hrr in [("x25519", "X25519", ""), ("secp256r1", "SECP256R1", ""),
                       ("secp384r1", "SECP384R1", "-HRR"), ("secp521r1", "SECP521R1", "-HRR"),
                       ("ffdhe2048", "FFDHE2048", "-HRR")]:
        # HRR: no client here sends a key share for it first, so the server must ask again.
        c.append(Cell(f"group13-{g}{hrr}", "group", f"{G13}:-GROUP-ALL:+GROUP-{gg}",
                      ["-tls1_3", "-groups", g], proto="TLSv1.3",
                      see={"gnutls": rf"\((EC)?DHE-{gg}\)"}))
    for g, gg in [("x25519", "X25519"), ("secp256r1", "SECP256R1"), ("secp384r1", "SECP384R1"),
                  ("secp521r1", "SECP521R1")]:
        # An RSA client: s_server's TLS 1.2 refuses an EC client certificate whose curve is
        # not among its own groups ("illegal parameter"), which is not what the cell tests.
        c.append(Cell(f"group12-{g}", "group", f"{G12}:-KX-ALL:+ECDHE-RSA:-GROUP-ALL:+GROUP-{gg}",
                      ["-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-groups", g],
                      client="rsa2048", proto="TLSv1.2", see={"gnutls": rf"\(ECDHE-{gg}\)"}))
    # TLS 1.2 ffdhe2048: a DHE-RSA suite. s_server picks its DH parameters itself; gnutls-serv
    # uses ffdhe2048 only with clients that name it (RFC 7919), its own 2048-bit group else.
    c.append(Cell("group12-ffdhe2048-dhe", "group",
                  f"{G12}:-KX-ALL:+DHE-RSA:-GROUP-ALL:+GROUP-FFDHE2048",
                  ["-tls1_2", "-cipher", "DHE-RSA-AES128-GCM-SHA256"], proto="TLSv1.2",
                  see={"gnutls": r"Key Exchange: DHE-RSA",
                       "openssl": r"Cipher is DHE-RSA-AES128-GCM-SHA256"}))
    # signature schemes the server signs with, one at a time
    sigs = [  # (scheme, gnutls name in TLS 1.2 / 1.3, server key, protocols)
        ("rsa_pkcs1_sha256", "RSA-SHA256", "", "rsa2048", ["12"]),
        ("rsa_pkcs1_sha384", "RSA-SHA384", "", "rsa2048", ["12"]),
        ("rsa_pkcs1_sha512", "RSA-SHA512", "", "rsa2048", ["12"]),
        ("rsa_pss_rsae_sha256", "RSA-PSS-RSAE-SHA256", "", "rsa2048", ["12", "13"]),
        ("rsa_pss_rsae_sha384", "RSA-PSS-RSAE-SHA384", "", "rsa2048", ["12", "13"]),
        ("rsa_pss_rsae_sha512", "RSA-PSS-RSAE-SHA512", "", "rsa2048", ["12", "13"]),
        ("rsa_pss_pss_sha256", "RSA-PSS-SHA256", "", "rsapss", ["12", "13"]),
        ("ecdsa_secp256r1_sha256", "ECDSA-SHA256", "ECDSA-SECP256R1-SHA256", "p256", ["12", "13"]),
        ("ecdsa_secp384r1_sha384", "ECDSA-SHA384", "ECDSA-SECP384R1-SHA384", "p384", ["12", "13"]),
        ("ecdsa_secp521r1_sha512", "ECDSA-SHA512", "ECDSA-SECP521R1-SHA512", "p521", ["12", "13"]),
    ]
    for scheme, g12name, g13name, key, protos in sigs:
        ecdsa = scheme.startswith("ecdsa")
        for p in protos:
            gname = g13name if p == "13" and g13name else g12name
            g = G12 if p == "12" else G13
            # An ECDSA server key could also sign with the client's P-256 scheme (gnutls-serv
            # follows the client's order): there the client holds the same curve instead, and
            # the list stays one scheme long.
            gn = f"{g}:-SIGN-ALL:+SIGN-{gname}" + ("" if ecdsa else ":" + G_CLIENT_SIG)
            ossl = ["-tls1_2" if p == "12" else "-tls1_3", "-sigalgs", scheme]
            if p == "12" and scheme == "ecdsa_secp384r1_sha384":
                # mbedTLS's TLS 1.2 client signs its CertificateVerify with the suite's PRF
                # hash: a SHA-384 suite lets it use the one scheme gnutls-serv allows.
                gn += ":-CIPHER-ALL:+AES-256-GCM:-MAC-ALL:+AEAD"
                ossl += ["-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"]
            c.append(Cell(f"sig{p}-{scheme}", "signature", gn, ossl, srv_key=key,
                          client=key if ecdsa else "p256", proto=f"TLSv1.{p[1]}",
                          see={"gnutls": f"Server Signature: {gname}\n"}))
    # ciphers, one at a time
    for name, gc, oc in [("aes128gcm", "AES-128-GCM", "TLS_AES_128_GCM_SHA256"),
                         ("aes256gcm", "AES-256-GCM", "TLS_AES_256_GCM_SHA384"),
                         ("chacha20", "CHACHA20-POLY1305", "TLS_CHACHA20_POLY1305_SHA256")]:
        c.append(Cell(f"cipher13-{name}", "cipher", f"{G13}:-CIPHER-ALL:+{gc}",
                      ["-tls1_3", "-ciphersuites", oc], proto="TLSv1.3",
                      see={"gnutls": rf"\({gc}\)", "openssl": f"Cipher is {oc}"}))
    for name, gc, oc, shown in [
            ("aes128gcm", "AES-128-GCM:-MAC-ALL:+AEAD", "ECDHE-RSA-AES128-GCM-SHA256", r"\(AES-128-GCM\)"),
            ("aes256gcm", "AES-256-GCM:-MAC-ALL:+AEAD", "ECDHE-RSA-AES256-GCM-SHA384", r"\(AES-256-GCM\)"),
            ("chacha20", "CHACHA20-POLY1305:-MAC-ALL:+AEAD", "ECDHE-RSA-CHACHA20-POLY1305",
             r"\(CHACHA20-POLY1305\)"),
            ("aes128cbc-sha256", "AES-128-CBC:-MAC-ALL:+SHA256", "ECDHE-RSA-AES128-SHA256",
             r"\(AES-128-CBC\)-\(SHA256\)"),
            ("aes256cbc-sha384", "AES-256-CBC:-MAC-ALL:+SHA384", "ECDHE-RSA-AES256-SHA384",
             r"\(AES-256-CBC\)-\(SHA384\)")]:
        c.append(Cell(f"cipher12-{name}", "cipher", f"{G12}:-KX-ALL:+ECDHE-RSA:-CIPHER-ALL:+{gc}",
                      ["-tls1_2", "-cipher", oc], proto="TLSv1.2",
                      see={"gnutls": shown, "openssl": f"Cipher is {oc}"}))
    # TLS 1.2 extended master secret: the server reports whether it was used
    c += [Cell("ems12-on", "ems", G12, ["-tls1_2"], proto="TLSv1.2",
               see={"gnutls": r"Options: extended master secret", "openssl": r"Extended master secret: yes"}),
          Cell("ems12-off", "ems", G12 + ":%NO_SESSION_HASH", ["-tls1_2"], proto="TLSv1.2", no_ems=True,
               see={"gnutls": r"Options: (?!extended master secret)",
                    "openssl": r"Extended master secret: no"})]
    # resumption: two fresh connections, the second must be resumed
    c += [Cell("resume12-session-id", "resumption", G12, ["-tls1_2"], proto="TLSv1.2", mode="resume",
               tickets=False),
          Cell("resume12-ticket", "resumption", G12, ["-tls1_2"], proto="TLSv1.2", mode="resume"),
          Cell("resume13-ticket", "resumption", G13, ["-tls1_3"], proto="TLSv1.3", mode="resume")]
    # CertificateRequest naming only another CA: what does each client send?
    c.append(Cell("canames-other-ca", "ca names", mode="ca-names"))
    # server chains
    c += [Cell("chain-leaf-root-int", "chain", chain="leaf-root-int"),
          Cell("chain-leaf-int1-int2", "chain", chain="leaf-int1-int2"),
          Cell("chain-extra-unrelated", "chain", chain="extra"),
          Cell("chain-leaf-only-trust-int", "chain", chain="leaf-only", trust="int1")]
    # The regression: TLS 1.2 ServerKeyExchange signed with rsa_pss_rsae_sha256 only
    # (mbedTLS 3.6.6 failed it with -0x6600 before scripts/patches/mbedtls/0001-*).
    c.append(Cell("regress-tls12-ske-rsa-pss", "regression",
                  f"{G12}:-SIGN-ALL:+SIGN-RSA-PSS-RSAE-SHA256:+SIGN-ECDSA-SHA256",
                  ["-tls1_2", "-sigalgs", "rsa_pss_rsae_sha256"], proto="TLSv1.2",
                  see={"gnutls": r"Server Signature: RSA-PSS-RSAE-SHA256\n"}))
    return c


CELLS = _cells()

# The one table of expected failures: (cell regex, server regex, client regex, regex the
# failure message must match, reason: which limit of which library). Anything else that
# fails is a FAIL, and so is an entry whose cell passes (the table is then out of date).
MB = "curl-on-mbedtls"
DM = "direct-mbedtls"
ANY = ".*"
ALERT = r"-0x7780\)? SSL - A fatal alert message was received"  # direct: "-0x7780 SSL", curl: "(-0x7780) SSL"
XFAIL = [
    (r"srvkey-ed25519", ANY, MB, r"Ed25519.*not supported",
     "mbedTLS 3.6 has no Ed25519 at all; mxtls get names the server's key type"),
    (r"srvkey-ed25519", ANY, DM, ALERT + r".*Ed25519.*not supported",
     "mbedTLS 3.6 offers no ed25519 scheme: the server alerts; the example names the key type"),
    (r"srvkey-rsapss|sig12-rsa_pss_pss_sha256", ANY, MB, r"RSASSA-PSS.*not supported",
     "mbedTLS 3.6 parses no RSASSA-PSS keys; mxtls get names the server's key type"),
    # A TLS 1.3-only server encrypts its certificate: mxtls get can only say what it may be.
    # (OpenSSL refuses the TLS 1.2 look with protocol_version, GnuTLS with handshake_failure.)
    (r"sig13-rsa_pss_pss_sha256", ANY, MB,
     r"(accepts only TLS 1\.3|refused a TLS 1\.2 handshake).*RSASSA-PSS key, mbedTLS 3\.6 cannot",
     "mbedTLS 3.6 parses no RSASSA-PSS keys; mxtls get says a TLS 1.3-only server may use one"),
    (r"srvkey-rsapss|sig12-rsa_pss_pss_sha256", ANY, DM, ALERT + r".*RSASSA-PSS.*not supported",
     "mbedTLS 3.6 offers no rsa_pss_pss schemes: the server alerts; the example names the key type"),
    (r"sig13-rsa_pss_pss_sha256", ANY, DM,
     ALERT + r".*(accepts only TLS 1\.3|refused a TLS 1\.2 handshake).*RSASSA-PSS key, mbedTLS 3\.6 cannot",
     "mbedTLS 3.6 parses no RSASSA-PSS keys; the example says a TLS 1.3-only server may use one"),
    (r"sig12-ecdsa_secp521r1_sha512", "gnutls", f"{MB}|{DM}", ALERT + "|Send failure",
     "mbedTLS 3.6's TLS 1.2 client signs CertificateVerify with the PRF hash (SHA-256/384) "
     "whatever the server asks, and gnutls-serv's one-scheme list binds the client too"),
    (r"cipher12-aes(128|256)cbc-sha(256|384)", ANY, "debian-libcurl-gnutls",
     r"gnutls_handshake\(\) failed: Handshake failed",
     "GnuTLS's NORMAL priority (libcurl-gnutls's default) has CBC suites with SHA-1 MACs only"),
    (r"resume13-ticket", ANY, "debian-libcurl-gnutls", r"not resumed either",
     "Debian's libcurl 7.88.1 on GnuTLS does not resume TLS 1.3 sessions, with its own files either"),
    (r"chain-leaf-int1-int2", "openssl", f"{MB}|{DM}",
     r"peer certificate could not be verified|-0x2700 X509 - Certificate verification failed",
     "mbedTLS 3.6 looks for a certificate's issuer only after it in the peer's list (RFC 8446 "
     "4.4.2 asks receivers to accept any order); gnutls-serv sorts its chain itself"),
]

# What a client sends when the CertificateRequest names only another CA: "cert" (its
# certificate anyway) or "none", with the reason. (server, client) -> (what, reason).
_SENDS = {
    "debian-libcurl": ("cert", "OpenSSL sends the configured certificate whatever the names"),
    "debian-libcurl-gnutls": ("cert", "GnuTLS sends its only certificate whatever the names"),
    "curl-on-mbedtls": ("cert", "mbedTLS 3.6's client does not read the CA names"),
    "direct-mbedtls": ("cert", "mbedTLS 3.6's client does not read the CA names"),
}
CA_NAMES = {(s, c): v for s in SERVERS for c, v in _SENDS.items()}


def xfail_for(cell, server, client):
    for cre, s, cl, msg, why in XFAIL:
        if re.fullmatch(cre, cell) and re.fullmatch(s, server) and re.fullmatch(cl, client):
            return msg, why
    return None
