"""Writing PKCS#12: Bundle, Key, Pkcs12Writer and pack(), checked by what reads the result.

Every container made here is read back three ways: by the binding's own loader
(same leaf SHA-256), by nginx through a real mTLS request (the subject it
echoes), and by Python's own stack (python3-cryptography's PKCS#12 reader, and
the openssl 3 command line for the legacy vectors).
"""
import base64
import csv
import hashlib
import os
import shutil
import subprocess

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

import mxtls

from conftest import REPO
from test_integrations import via_http_client

VECTORS = os.path.normpath(os.path.join(REPO, "..", "shared", "vectors", "pkcs12", "public"))
OUT_PW = "pack output pw"
MAC = {"modern": "HMAC-SHA256", "compat": "HMAC-SHA1", "pbmac1": "PBMAC1"}


def _read(path):
    with open(path, "rb") as f:
        return f.read()


def _leaf_sha256(ident):
    with mxtls.load_pkcs12(ident["p12"], ident["password"]) as p12:
        return p12.identities[0].sha256


def _context(fx, p12):
    cfg = mxtls.Config(system_roots=False)
    cfg.add_identity(p12)
    cfg.add_trust(fx.server_ca[1])
    return cfg.build()


def _manifest(name):
    with open(os.path.join(VECTORS, "MANIFEST.tsv"), newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row["file"] == name:
                return row
    raise KeyError(name)


def _public_der(key):
    return key.public_key().public_bytes(serialization.Encoding.DER,
                                         serialization.PublicFormat.SubjectPublicKeyInfo)


# ---- pack: the fixture's PEM files into a .p12, in each profile -----------------

@pytest.mark.parametrize("name", ["alice", "bob"])
@pytest.mark.parametrize("profile", ["modern", "compat", "pbmac1"])
def test_pack_fixture_identity(fx, ids, name, profile):
    ident = ids[name]
    der = mxtls.pack(ident["chain_pem"], ident["key_pem"], password=OUT_PW, profile=profile)
    assert isinstance(der, bytes) and der[0] == 0x30
    with mxtls.load_pkcs12(der, OUT_PW) as p12:
        [got] = p12.identities
        assert got.sha256 == _leaf_sha256(ident) and got.subject == ident["subject"]
        assert [c.subject for c in got.chain] == ["CN=Fixture Client CA"]
        assert MAC[profile] in p12.mac_algorithm
        # compat is 3DES and SHA-1 on purpose, and the loader says so.
        assert ("legacy_algorithm" in [w.kind for w in p12.warnings]) == (profile == "compat")
        ctx = _context(fx, p12)
    got = via_http_client(ctx, fx.url("verified", "localhost"))
    assert got["verify"] == "SUCCESS" and got["subject"] == ident["subject"]


@pytest.mark.parametrize("profile", ["modern", "compat"])
def test_python_cryptography_reads_the_output(ids, profile):
    ident = ids["alice"]
    der = mxtls.pack(_read(ident["cert_pem"]), _read(ident["key_pem"]), chain=[fx_ca(ident)],
                     password=OUT_PW, profile=profile, friendly_name="alice@partner")
    key, cert, extra = pkcs12.load_key_and_certificates(der, OUT_PW.encode())
    assert hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).digest() == _leaf_sha256(ident)
    own = serialization.load_pem_private_key(_read(ident["key_pem"]), None)
    assert _public_der(key) == _public_der(own)
    assert [c.subject.rfc4514_string() for c in extra] == ["CN=Fixture Client CA"]
    p12 = pkcs12.load_pkcs12(der, OUT_PW.encode())
    assert p12.cert.friendly_name == b"alice@partner"


def fx_ca(ident):
    """The client CA certificate: the second PEM block of the identity's chain file."""
    pem = _read(ident["chain_pem"])
    return pem[pem.index(b"-----BEGIN", 1):]


# ---- re-encrypting a legacy RC2-40 container -------------------------------------

@pytest.mark.filterwarnings("ignore:Parsed a negative serial number")  # cryptography on the .NET leaf
@pytest.mark.parametrize("vector", ["pyca__cert-rc2-key-3des.p12", "dotnet__PfxData.pfx"])
def test_legacy_container_reencrypted(fx, tmp_path, vector):
    row = _manifest(vector)
    path, password = os.path.join(VECTORS, vector), row["password"]
    assert row["mxtls_expect"] == "ok" and row["identities"] == "1"
    # OpenSSL 3 (what Python's ssl links) refuses the original without its legacy provider.
    r = subprocess.run(["openssl", "pkcs12", "-in", path, "-passin", "pass:" + password, "-noout"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "RC2-40" in r.stderr
    with mxtls.load_pkcs12(path, password) as old, mxtls.Pkcs12Writer("modern") as w:
        assert "legacy_algorithm" in [x.kind for x in old.warnings]
        for i in range(len(old.identities)):
            w.add_identity(old, i)
        for c in old.extra_certs:
            w.add_certificate(c)
        der = w.finish(OUT_PW)
    with mxtls.load_pkcs12(der, OUT_PW) as new:
        assert new.identities[0].sha256_hex == row["leaf_sha256"]
        assert all(e.startswith("PBES2") for e in new.encryptions) and "HMAC-SHA256" in new.mac_algorithm
        assert "legacy_algorithm" not in [x.kind for x in new.warnings]
        ctx = _context(fx, new) if vector.startswith("pyca") else None
    out = tmp_path / "new.p12"
    out.write_bytes(der)
    r = subprocess.run(["openssl", "pkcs12", "-in", str(out), "-passin", "pass:" + OUT_PW, "-noout"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    key, cert, _ = pkcs12.load_key_and_certificates(der, OUT_PW.encode())
    assert key is not None
    assert hashlib.sha256(cert.public_bytes(serialization.Encoding.DER)).hexdigest() == row["leaf_sha256"]
    if ctx is not None:  # an EC P-256 identity from a foreign CA: the server that does not verify echoes it
        got = via_http_client(ctx, fx.url("any", "localhost"))
        assert "CN=cryptography CA" in got["subject"].split(",")


# ---- Bundle and Key ------------------------------------------------------------------

@pytest.fixture(scope="module")
def keys_dir(ids, tmp_path_factory):
    """alice's key encrypted two ways, her certificate as DER, truncated inputs, a public key."""
    d = tmp_path_factory.mktemp("keys")
    key = ids["alice"]["key_pem"]

    def sh(*cmd):
        subprocess.run(cmd, check=True, capture_output=True)
    sh("openssl", "pkey", "-in", key, "-aes256", "-passout", "pass:Key-Secret-1", "-out", str(d / "pkcs8.key"))
    sh("openssl", "rsa", "-in", key, "-aes256", "-traditional", "-passout", "pass:Key-Secret-1",
       "-out", str(d / "legacy.key"))
    sh("openssl", "x509", "-in", ids["alice"]["cert_pem"], "-outform", "DER", "-out", str(d / "alice.der"))
    sh("openssl", "pkey", "-in", key, "-pubout", "-out", str(d / "alice.pub"))
    der = (d / "alice.der").read_bytes()
    (d / "truncated.der").write_bytes(der[:len(der) // 2])
    enc = (d / "pkcs8.key").read_bytes()
    (d / "truncated.key").write_bytes(enc[:len(enc) // 2])
    return d


def test_bundle_reads_certificates_and_keys(ids, keys_dir):
    alice = ids["alice"]
    with mxtls.Bundle() as b:
        assert b.add(alice["chain_pem"]) is b
        b.add(keys_dir / "legacy.key", b"Key-Secret-1")
        b.add(_read(alice["cert_pem"]) + _read(keys_dir / "alice.pub"), name="cert+pub.pem")
        assert [c.subject for c in b.certificates] == ["CN=alice.fixture.test", "CN=Fixture Client CA"]
        [key] = b.keys
        assert (key.index, key.kind, key.bits, key.curve, key.alias) == (0, "rsa", 2048, None, None)
        assert key.form == "PKCS#1, legacy PEM encryption AES-256-CBC"
        assert key.source == f"{keys_dir / 'legacy.key'}, line 1"
        [w] = b.warnings
        assert w.kind == "skipped_entry" and "cert+pub.pem" in w.message and "PUBLIC KEY" in w.message
        assert key.matches(b.certificates[0]) and not key.matches(b.certificates[1])
        assert key.matches(_read(keys_dir / "alice.der")) and not key.matches(_read(ids["bob"]["cert_pem"]))
        chain = b.chain(key)
        assert chain.complete and chain.certificates == b.certificates
        assert chain.certificates[0].sha256 == _leaf_sha256(alice)
    with mxtls.Bundle() as b:  # the leaf found by its key, whatever the order; no root: incomplete
        b.add(ids["bob"]["cert_pem"]).add(keys_dir / "alice.der").add(keys_dir / "pkcs8.key", "Key-Secret-1")
        assert b.keys[0].form.startswith("encrypted PKCS#8")
        chain = b.chain(0)
        assert not chain.complete and [c.subject for c in chain.certificates] == ["CN=alice.fixture.test"]


def test_writer_from_a_bundle_and_from_der(fx, ids, keys_dir):
    alice = ids["alice"]
    with mxtls.Bundle() as b, mxtls.Pkcs12Writer(iterations=4096) as w:
        b.add(alice["chain_pem"]).add(keys_dir / "pkcs8.key", "Key-Secret-1")
        w.add_key(b, b.keys[0], friendly_name="alice")
        first, second = w.finish(OUT_PW), w.finish(OUT_PW)
    assert first != second  # fresh salts and IVs on every finish()
    with mxtls.load_pkcs12(second, OUT_PW) as p12:
        assert p12.identities[0].sha256 == _leaf_sha256(alice) and p12.identities[0].friendly_name == "alice"
        assert "4096 iterations" in p12.mac_algorithm
    # A PKCS#8 DER key (the base64 of the fixture's unencrypted PEM), in a bytearray the caller wipes.
    pem = _read(alice["key_pem"]).decode()
    key_der = bytearray(base64.b64decode("".join(pem.strip().splitlines()[1:-1])))
    certs = mxtls.Bundle().add(alice["chain_pem"]).certificates
    with mxtls.Pkcs12Writer("compat") as w:
        w.add_key_der(key_der, certs)
        w.add_certificate(certs[1].der)  # the CA, already on the identity's chain: written once
        der = w.finish(OUT_PW)
        with pytest.raises(mxtls.UsageError):
            w.add_key_der(_read(alice["key_pem"]), certs[0])  # PEM is for a Bundle
    with mxtls.load_pkcs12(der, OUT_PW) as p12:
        assert p12.identities[0].sha256 == _leaf_sha256(alice) and not p12.extra_certs
        got = via_http_client(_context(fx, p12), fx.url("verified", "127.0.0.1"))
    assert got["subject"] == "CN=alice.fixture.test"


@pytest.mark.skipif(shutil.which("keytool") is None, reason="keytool is not installed")
def test_java_keystore_into_a_container(ids, tmp_path):
    alice = ids["alice"]
    jks = tmp_path / "alice.jks"
    subprocess.run(["keytool", "-importkeystore", "-srckeystore", alice["p12"], "-srcstoretype", "PKCS12",
                    "-srcstorepass", alice["password"], "-destkeystore", str(jks), "-deststoretype", "JKS",
                    "-deststorepass", "store-secret", "-destkeypass", "entry-secret", "-srcalias", "1",
                    "-destalias", "client", "-noprompt"], check=True, capture_output=True)
    with mxtls.Bundle() as b:
        b.add_keystore(jks, "store-secret", "entry-secret")
        [key] = b.keys
        assert key.alias == "client" and key.form.startswith("JKS") and '"client"' in key.source
        with mxtls.Pkcs12Writer() as w:
            der = w.add_key(b, key, friendly_name=key.alias).finish(OUT_PW)
    with mxtls.load_pkcs12(der, OUT_PW) as p12:
        assert p12.identities[0].sha256 == _leaf_sha256(alice)
    with pytest.raises(mxtls.WrongPasswordError) as e:
        mxtls.Bundle().add_keystore(jks.read_bytes(), "store-secret", "not-the-entry-secret", name="alice.jks")
    assert "alice.jks" in e.value.message and "not-the-entry-secret" not in str(e.value)
    with pytest.raises(mxtls.CorruptError):
        mxtls.Bundle().add_keystore(alice["cert_pem"])


# ---- errors --------------------------------------------------------------------------

@pytest.mark.parametrize("form", ["pkcs8.key", "legacy.key"])
def test_wrong_key_password(ids, keys_dir, form):
    alice, wrong = ids["alice"], "Wrong-Secret-9"
    with pytest.raises(mxtls.WrongPasswordError) as e:
        mxtls.pack(alice["chain_pem"], keys_dir / form, key_password=wrong, password=OUT_PW)
    assert e.value.code == "wrong_password" and form in e.value.message
    for secret in (wrong, "Key-Secret-1", OUT_PW):
        assert secret not in str(e.value) and secret not in repr(e.value)
    with pytest.raises(mxtls.WrongPasswordError):  # no password at all for an encrypted key
        mxtls.pack(alice["chain_pem"], _read(keys_dir / form), password=OUT_PW)
    der = mxtls.pack(alice["chain_pem"], keys_dir / form, key_password=bytearray(b"Key-Secret-1"), password=OUT_PW)
    with mxtls.load_pkcs12(der, OUT_PW) as p12:
        assert p12.identities[0].sha256 == _leaf_sha256(alice)


def test_key_mismatch(ids):
    alice, bob = ids["alice"], ids["bob"]
    with pytest.raises(mxtls.KeyMismatchError) as e:
        mxtls.pack(alice["chain_pem"], bob["key_pem"], password=OUT_PW)
    assert e.value.code == "key_mismatch" and OUT_PW not in str(e.value)
    with mxtls.Bundle() as b:
        b.add(alice["cert_pem"]).add(bob["key_pem"])
        assert not b.keys[0].matches(b.certificates[0])
        with pytest.raises(mxtls.KeyMismatchError):
            b.chain(0)
        with mxtls.Pkcs12Writer() as w, pytest.raises(mxtls.KeyMismatchError):
            w.add_key(b, 0)
    with mxtls.Pkcs12Writer() as w, pytest.raises(mxtls.KeyMismatchError):
        pem = _read(bob["key_pem"]).decode()
        w.add_key_der(base64.b64decode("".join(pem.strip().splitlines()[1:-1])),
                      mxtls.Bundle().add(alice["cert_pem"]).certificates)


def test_truncated_and_wrong_inputs(ids, keys_dir):
    with pytest.raises(mxtls.CorruptError) as e:
        mxtls.Bundle().add(keys_dir / "truncated.der")
    assert e.value.code == "corrupt" and "truncated.der" in e.value.message
    with pytest.raises(mxtls.CorruptError) as e:
        mxtls.pack(ids["alice"]["chain_pem"], keys_dir / "truncated.key", key_password="Key-Secret-1",
                   password=OUT_PW)
    assert "truncated.key" in e.value.message and "Key-Secret-1" not in str(e.value)
    der = mxtls.pack(ids["alice"]["chain_pem"], ids["alice"]["key_pem"], password=OUT_PW)
    with pytest.raises(mxtls.CorruptError):
        mxtls.load_pkcs12(der[:len(der) // 2], OUT_PW)
    with pytest.raises(mxtls.UsageError):  # a .p12 is loaded with load_pkcs12, then add_identity()
        mxtls.Bundle().add(ids["alice"]["p12"], ids["alice"]["password"])
    with pytest.raises(mxtls.UsageError):  # the key file must hold one key
        mxtls.pack(ids["alice"]["chain_pem"], ids["alice"]["cert_pem"], password=OUT_PW)
    with pytest.raises(mxtls.NoKeyError) as e:
        mxtls.Pkcs12Writer().finish(OUT_PW)
    assert OUT_PW not in str(e.value)
    with pytest.raises(ValueError):
        mxtls.pack(ids["alice"]["chain_pem"], ids["alice"]["key_pem"], password="")
    der = mxtls.pack(ids["alice"]["chain_pem"], ids["alice"]["key_pem"], password="", allow_empty_password=True)
    assert mxtls.load_pkcs12(der, "").identities[0].sha256 == _leaf_sha256(ids["alice"])
    with pytest.raises(ValueError):
        mxtls.Pkcs12Writer("legacy")
    with pytest.raises(mxtls.UsageError):
        mxtls.Pkcs12Writer(iterations=1000)
    with pytest.raises(mxtls.LimitExceededError):
        mxtls.Pkcs12Writer(iterations=10 ** 9)
    with pytest.raises(mxtls.UsageError):
        mxtls.Pkcs12Writer().finish("a\0b")
    with pytest.raises(TypeError):
        mxtls.Bundle().add(_read(ids["alice"]["cert_pem"]).decode())  # PEM text as str: bytes, please


# ---- resources -----------------------------------------------------------------------

def test_close_twice_and_use_after_close(ids):
    alice = ids["alice"]
    b = mxtls.Bundle().add(alice["chain_pem"]).add(alice["key_pem"])
    certs, [key] = b.certificates, b.keys
    w = mxtls.Pkcs12Writer()
    w.add_key(b, key)
    b.close()
    b.close()
    assert b.closed and repr(b) == "<Bundle closed>"
    # The writer holds its own copy of the key: closing the bundle does not matter to it.
    der = w.finish(OUT_PW)
    w.close()
    w.close()
    assert w.closed
    # What was read stays readable; everything that needs the C object raises.
    assert certs[0].subject == "CN=alice.fixture.test" and key.kind == "rsa" and key.bits == 2048
    for use in (lambda: b.add(alice["cert_pem"]), lambda: b.certificates, lambda: b.keys, lambda: b.chain(0),
                lambda: key.matches(certs[0]), lambda: w.finish(OUT_PW), lambda: w.add_certificate(certs[1]),
                lambda: setattr(w, "iterations", 4096), lambda: mxtls.Pkcs12Writer().add_key(b, 0)):
        with pytest.raises(ValueError, match="closed"):
            use()
    p12 = mxtls.load_pkcs12(der, OUT_PW)
    p12.close()
    with pytest.raises(ValueError, match="closed"):
        mxtls.Pkcs12Writer().add_identity(p12)
    other = mxtls.Bundle().add(alice["chain_pem"]).add(alice["key_pem"])
    with pytest.raises(ValueError):
        other.chain(key)  # a Key of another bundle


def test_pack_refuses_what_does_not_read_back(ids, monkeypatch):
    """pack() compares the container loaded back with the chain it meant to write."""
    import mxtls.writer
    bob = ids["bob"]
    monkeypatch.setattr(mxtls.writer, "load_pkcs12", lambda data, pw: mxtls.load_pkcs12(bob["p12"], bob["password"]))
    with pytest.raises(mxtls.InternalError) as e:
        mxtls.pack(ids["alice"]["chain_pem"], ids["alice"]["key_pem"], password=OUT_PW)
    assert e.value.code == "internal" and "reads back" in e.value.message
