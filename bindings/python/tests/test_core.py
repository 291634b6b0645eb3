"""The core binding: library loading, declarations, constants, errors, loading and inspection."""
import base64
import ctypes
import datetime
import json
import os
import re
import ssl
import subprocess
import sys

import pytest

import mxtls
from mxtls import _ffi, _lib

from conftest import BINDING, REPO


def test_every_declared_function_is_in_the_header():
    header = open(os.path.join(REPO, "include", "mxtls", "mxtls.h")).read()
    declared = set(re.findall(r"\b(mxtls_[a-z0-9_]+)\s*\(", " ".join(re.findall(r"MXTLS_EXTERN[^;]*;", header, re.S))))
    names = [d[0] for d in _ffi.DECLARATIONS]
    assert len(names) == len(set(names)), "a function is declared twice"
    assert set(names) <= declared


def test_constants_come_from_the_library():
    assert mxtls.const("MXTLS_ERR_WRONG_PASSWORD") == mxtls.WrongPasswordError.number
    assert _lib.NO_IDENTITY == 2 ** (8 * ctypes.sizeof(ctypes.c_size_t)) - 1
    with pytest.raises(mxtls.LibraryError):
        mxtls.const("MXTLS_NOPE")


def test_one_exception_class_per_code():
    for number in range(1, mxtls.const("MXTLS_ERR_MAX") + 1):
        code = _lib.lib.mxtls_error_name(number).decode()
        cls = mxtls.error_class(code)
        assert cls is not mxtls.Error and cls.number == number and issubclass(cls, mxtls.Error)
        assert cls.__name__ == "".join(p.capitalize() for p in code.split("_")) + "Error"
        assert getattr(mxtls, cls.__name__) is cls
    assert issubclass(mxtls.NomemError, MemoryError)
    assert mxtls.error_class("from_the_future") is mxtls.Error


def _run_import(env_extra):
    env = dict(os.environ, PYTHONPATH=BINDING, **env_extra)
    return subprocess.run([sys.executable, "-c", "import mxtls"], env=env, capture_output=True, text=True)


def test_library_lookup_errors_name_the_path(tmp_path):
    r = _run_import({"MXTLS_LIBRARY": str(tmp_path / "nope.so")})
    assert r.returncode != 0 and "LibraryError" in r.stderr and "nope.so" in r.stderr


def test_library_lookup_order(monkeypatch):
    monkeypatch.setenv("MXTLS_LIBRARY", "/opt/x/libmxtls.so.0")
    assert _lib._candidates() == [("/opt/x/libmxtls.so.0", True)]
    monkeypatch.delenv("MXTLS_LIBRARY")
    monkeypatch.setattr(os.path, "exists", lambda p: True)
    monkeypatch.setattr(_lib.sysconfig, "get_config_var", lambda name: "x86_64-linux-gnu")
    monkeypatch.setattr(_lib.ctypes.util, "find_library", lambda name: "libmxtls.so.0.1")
    assert _lib._candidates() == [("/usr/local/lib/libmxtls.so.0", True),
                                  ("/usr/lib/x86_64-linux-gnu/libmxtls.so.0", True),
                                  ("/usr/lib/libmxtls.so.0", True),
                                  ("libmxtls.so.0", False), ("libmxtls.so.0.1", False)]


def test_other_abi_is_refused(tmp_path):
    src = tmp_path / "fake.c"
    src.write_text("int mxtls_abi_version(void) { return 7; }\n")
    so = tmp_path / "libfake.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(so), str(src)], check=True)
    r = _run_import({"MXTLS_LIBRARY": str(so)})
    assert r.returncode != 0
    assert "ABI version 7" in r.stderr and "ABI version 0" in r.stderr and str(so) in r.stderr


def test_inspect_pkcs12(ids):
    with mxtls.load_pkcs12(ids["alice"]["p12"], ids["alice"]["password"]) as p12:
        [ident] = p12.identities
        assert ident.subject == "CN=alice.fixture.test" and ident.issuer == "CN=Fixture Client CA"
        assert ident.key_type == "rsa" and ident.key_bits == 2048 and ident.curve is None
        assert ident.not_before.tzinfo == datetime.timezone.utc
        assert ident.not_before < datetime.datetime.now(datetime.timezone.utc) < ident.not_after
        assert [c.subject for c in ident.chain] == ["CN=Fixture Client CA"] and ident.chain[0].is_ca
        assert ident.leaf.sha256 == __import__("hashlib").sha256(ident.leaf.der).digest()
        assert ident.sha256_hex == ident.sha256.hex()
        assert "HMAC" in p12.mac_algorithm and p12.encryptions
    assert p12.closed
    with open(ids["bob"]["p12"], "rb") as f:
        data = f.read()
    for form in (data, bytearray(data), memoryview(data)):
        with mxtls.load_pkcs12(form, ids["bob"]["password"].encode()) as p12:
            assert p12.identities[0].key_type == "ec" and p12.identities[0].curve == "P-256"


def test_wrong_password_never_in_the_message(ids):
    secret = "Sup3r-Secret-Passw0rd"
    with pytest.raises(mxtls.WrongPasswordError) as e:
        mxtls.load_pkcs12(ids["alice"]["p12"], secret)
    assert e.value.code == "wrong_password" and e.value.number == mxtls.const("MXTLS_ERR_WRONG_PASSWORD")
    assert secret not in str(e.value) and secret not in repr(e.value) and secret not in e.value.message
    assert "alice.p12" in e.value.message


def test_errors_carry_their_code(tmp_path):
    with pytest.raises(mxtls.IoError) as e:
        mxtls.load_pkcs12(tmp_path / "missing.p12", "x")
    assert e.value.code == "io"
    with pytest.raises(mxtls.CorruptError) as e:
        mxtls.load_pkcs12(b"\x30\x03\x02\x01\x03", "x")
    assert e.value.code == "corrupt"
    with pytest.raises(mxtls.UsageError):
        mxtls.load_pkcs12(b"\x30", "a\0b")  # a NUL inside a password is refused, not cut short
    with pytest.raises(mxtls.EmptyError):
        mxtls.load_trust(b"   \n")
    with pytest.raises(mxtls.CorruptError):
        mxtls.load_trust(b"no certificate here\n")
    with pytest.raises(mxtls.UsageError):
        mxtls.Config().add_no_identity(["https://example.com/"])


def test_require_mac(fx, tmp_path):
    nomac = tmp_path / "nomac.p12"
    a = fx.identities["alice"]
    subprocess.run(["openssl", "pkcs12", "-export", "-inkey", a["key_pem"], "-in", a["cert_pem"], "-nomac",
                    "-passout", "pass:x", "-out", str(nomac)], check=True, capture_output=True)
    with mxtls.load_pkcs12(nomac, "x") as p12:
        assert "no_mac" in [w.kind for w in p12.warnings]
    with pytest.raises(mxtls.NoMacError):
        mxtls.load_pkcs12(nomac, "x", require_mac=True)


def test_trust(fx):
    with mxtls.load_trust(fx.server_ca[1]) as t:
        assert [c.subject for c in t.certificates] == ["CN=Fixture Server CA"] and t.source.endswith("server-ca.pem")
    with open(fx.server_ca[1], "rb") as f:
        pem = f.read()
    assert len(mxtls.load_trust(b"junk before\n" + pem)) == 1
    assert len(mxtls.load_trust(base64.b64encode(pem))) == 1
    assert len(mxtls.system_trust()) > 10


def test_context_select_and_pins(two_hosts):
    ctx = two_hosts
    assert [i.certificate.subject for i in ctx.identities] == ["CN=alice.fixture.test", "CN=bob.fixture.test"]
    assert ctx.pins == {0: ("localhost",), 1: ("127.0.0.1",)}
    assert ctx.select("LOCALHOST.") == 0 and ctx.select("127.0.0.1") == 1 and ctx.select("elsewhere") is None
    assert ctx.system_root_count == 0 and ctx.trust_count == 1
    assert ctx.tls_versions == (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3)
    ctx.check_host(0, "localhost")
    with pytest.raises(mxtls.NotPinnedError) as e:
        ctx.check_host(0, "127.0.0.1")
    assert e.value.code == "not_pinned"


def test_ssl_context_is_cached_sealed_and_pinned(two_hosts):
    a = two_hosts.ssl_context(host="localhost")
    assert a is two_hosts.ssl_context(host="localhost") and isinstance(a, ssl.SSLContext)
    assert a.verify_mode == ssl.CERT_REQUIRED and a.check_hostname
    assert a.minimum_version == ssl.TLSVersion.TLSv1_2 and a.mxtls_identity == 0
    assert two_hosts.ssl_context(host="127.0.0.1").mxtls_identity == 1
    assert two_hosts.ssl_context(host="elsewhere").mxtls_identity is None
    with pytest.raises(ValueError):
        a.verify_mode = ssl.CERT_NONE
    with pytest.raises(ValueError):
        a.check_hostname = False
    with pytest.raises(ValueError):
        a.load_verify_locations(cadata="")
    with pytest.raises(ValueError):
        a.minimum_version = ssl.TLSVersion.TLSv1
    a.verify_mode = ssl.CERT_REQUIRED  # what urllib3 does: allowed


def test_tls_versions(fx):
    cfg = mxtls.Config(system_roots=False, tls_versions=(ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_3))
    cfg.add_trust(fx.server_ca[1])
    with pytest.raises(ValueError):
        cfg.tls_versions = (ssl.TLSVersion.TLSv1_1, ssl.TLSVersion.TLSv1_3)
    ctx = cfg.build()
    assert ctx.tls_versions == (ssl.TLSVersion.TLSv1_3,) * 2
    assert ctx.ssl_context().minimum_version == ssl.TLSVersion.TLSv1_3


def test_from_env_json(fx, ids):
    def pfx(name):
        with open(ids[name]["p12"], "rb") as f:
            return base64.b64encode(f.read()).decode()
    with open(fx.server_ca[1]) as f:
        cas = f.read()
    entries = [{"pfx": pfx("alice"), "password": ids["alice"]["password"], "pin_to": ["localhost"]},
               {"pfx": pfx("bob"), "password": ids["bob"]["password"], "pin_to": ["127.0.0.1"]},
               {"pfx": None, "pin_to": ["nobody.test"]}]
    ctx = mxtls.from_env({"CLIENT_CERTIFICATES": json.dumps(entries), "CERTIFICATE_AUTHORITIES": cas,
                          "MXTLS_SYSTEM_ROOTS": "0"})
    assert ctx.select("localhost") == 0 and ctx.select("127.0.0.1") == 1 and ctx.select("nobody.test") is None
    assert ctx.trust_count == 1
    entries[0]["password"] = "not the password"
    with pytest.raises(mxtls.Error) as e:
        mxtls.from_env({"CLIENT_CERTIFICATES": json.dumps(entries)})
    assert "not the password" not in str(e.value) and "CLIENT_CERTIFICATES" in e.value.message
    with pytest.raises(mxtls.ConfigError):
        mxtls.from_env({"CLIENT_CERTIFICATES": "[{"})
    assert mxtls.from_env({}).identities == ()


def test_legacy_rc2_vector_python_alone_cannot(fx):
    """What Python's own tools do with the OpenSSL-1.x-era container (RC2-40 certificate, 3DES key).

    - ssl has no PKCS#12 loader at all: load_cert_chain on the .p12 fails;
    - the openssl 3 command line refuses RC2-40 without -legacy;
    - python3-cryptography 38 does parse it (it loads OpenSSL's legacy provider),
      but then the key has to go through a file for ssl: the "usual way" the
      benchmark measures. The binding loads it and nginx echoes its subject
      (test_integrations.py::test_legacy_vector_through_the_binding).
    """
    legacy = fx.describe()["legacy"]
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    with pytest.raises(ssl.SSLError):
        ctx.load_cert_chain(legacy["p12"], password=legacy["password"])
    r = subprocess.run(["openssl", "pkcs12", "-in", legacy["p12"], "-passin", "pass:" + legacy["password"],
                        "-nokeys"], capture_output=True, text=True)
    assert r.returncode != 0 and "RC2-40" in r.stderr
    from cryptography.hazmat.primitives.serialization import pkcs12
    with open(legacy["p12"], "rb") as f:
        data = f.read()
    key, cert, _ = pkcs12.load_key_and_certificates(data, legacy["password"].encode())
    assert key is not None and "cryptography CA" in cert.subject.rfc4514_string()
    with mxtls.load_pkcs12(data, legacy["password"]) as p12:
        assert "legacy_algorithm" in [w.kind for w in p12.warnings]
        assert any("RC2" in e for e in p12.encryptions)
        assert "cryptography CA" in p12.identities[0].subject


def test_password_file_and_closed_objects(ids, tmp_path):
    pw_file = tmp_path / "pw"
    pw_file.write_text(ids["alice"]["password"] + "\r\n")
    pw = mxtls.read_password_file(pw_file)
    assert isinstance(pw, bytearray) and pw == ids["alice"]["password"].encode()
    p12 = mxtls.load_pkcs12(ids["alice"]["p12"], pw)
    assert pw == ids["alice"]["password"].encode()  # the caller's buffer is theirs to wipe
    p12.close()
    p12.close()  # idempotent
    with pytest.raises(ValueError):
        mxtls.Config().add_identity(p12)
    with pytest.raises(mxtls.IoError):
        mxtls.read_password_file(tmp_path)  # a directory is refused, never read
