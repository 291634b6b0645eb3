"""No key material on disk: nothing the binding does writes a private key to a file.

Two complementary checks of a full run (every client, both identities, from_env
JSON, a Runtime with a rotation):
- in this process, an audit hook records every Python-level open for writing
  (open(), os.open(), tempfile...): catches even a temporary file deleted again;
- in a child process under strace, every file any code (Python, libmxtls,
  OpenSSL) creates or opens for writing, by system call. The before/after
  snapshot of $TMPDIR, the cwd and /tmp is then attributed through that list:
  other jobs on the machine write key files to /tmp too (test PKIs), and only
  what our process wrote can be ours.
"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap

import pytest

import mxtls

from conftest import BINDING, HERE
from test_integrations import CLIENTS

_recording = []


def _audit(event, args):
    if _recording and event == "open":
        path, mode, flags = (list(args) + [None, None])[:3]
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
                 (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
        if writes:
            _recording[0].append(path)


sys.addaudithook(_audit)


def _json_env(fx, ids):
    import base64

    def pfx(name):
        with open(ids[name]["p12"], "rb") as f:
            return base64.b64encode(f.read()).decode()
    entries = [{"pfx": pfx("alice"), "password": ids["alice"]["password"], "pin_to": ["localhost"]},
               {"pfx": pfx("bob"), "password": ids["bob"]["password"], "pin_to": ["127.0.0.1"]}]
    with open(fx.server_ca[1]) as f:
        return {"CLIENT_CERTIFICATES": json.dumps(entries), "CERTIFICATE_AUTHORITIES": f.read(),
                "MXTLS_SYSTEM_ROOTS": "0"}


def test_no_python_level_file_write(fx, ids):
    writes = []
    _recording.append(writes)
    try:
        ctx = mxtls.from_env(_json_env(fx, ids))
        for get in CLIENTS.values():
            assert get(ctx, fx.url("verified", "localhost"))["subject"] == "CN=alice.fixture.test"
            assert get(ctx, fx.url("verified", "127.0.0.1"))["subject"] == "CN=bob.fixture.test"
    finally:
        _recording.remove(writes)
    assert writes == [], f"files opened for writing during the run: {writes}"
    leftover = [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
                if os.path.exists(f"/proc/self/fd/{fd}")]
    assert not [link for link in leftover if "memfd:mxtls" in link]


CHILD = textwrap.dedent("""
    import json, os, sys, time
    sys.path[:0] = [sys.argv[1]]
    job = json.loads(sys.argv[2])
    import mxtls
    from test_integrations import CLIENTS
    ctx = mxtls.from_env(job["json_env"])
    for get in CLIENTS.values():
        assert get(ctx, job["urls"]["localhost"])["subject"] == "CN=alice.fixture.test"
        assert get(ctx, job["urls"]["127.0.0.1"])["subject"] == "CN=bob.fixture.test"
    with mxtls.Runtime(job["files_env"], watch=True) as rt:
        assert CLIENTS["requests"](rt, job["urls"]["localhost"])["subject"] == "CN=alice.fixture.test"
        os.rename(job["staged"], job["files_env"]["MXTLS_CLIENT_CERTIFICATE_FILE"])  # rotate to bob
        end = time.monotonic() + 10
        while rt.generation < 2 and time.monotonic() < end:
            time.sleep(0.02)
        for get in CLIENTS.values():
            assert get(rt, job["urls"]["localhost"])["subject"] == "CN=bob.fixture.test"
    print("child ok")
""")

_WRITE_FLAGS = re.compile(r"O_WRONLY|O_RDWR|O_CREAT|O_TRUNC")
_OPEN = re.compile(r'^\d+\s+(?:open|openat|openat2|creat)\((?:[^,]*, )?"([^"]*)", ([^,)]*)')
_MOVE = re.compile(r'^\d+\s+(?:rename|renameat|renameat2|link|linkat|symlink|symlinkat)\(.*"([^"]*)"')


def _snapshot(roots):
    files = {}
    for root in roots:
        for d, _, names in os.walk(root, onerror=lambda e: None):
            for n in names:
                p = os.path.join(d, n)
                try:
                    st = os.lstat(p)
                except OSError:
                    continue
                # Regular files only: opening another job's FIFO (valgrind's vgdb pipes in
                # /tmp) to look for a key would block until that job writes to it.
                if stat.S_ISREG(st.st_mode):
                    files[p] = (st.st_ino, st.st_mtime_ns)
    return files


def _holds_key(path):
    try:
        with open(path, "rb") as f:
            return b"PRIVATE KEY" in f.read(1 << 20)
    except OSError:
        return False


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace is not installed")
def test_no_file_written_by_a_full_run(fx, ids, tmp_path):
    mount, private_tmp, cwd = tmp_path / "mount", tmp_path / "tmp", tmp_path / "cwd"
    for d in (mount, private_tmp, cwd):
        d.mkdir()
    shutil.copyfile(ids["alice"]["p12"], mount / "client.p12")
    shutil.copyfile(ids["bob"]["p12"], mount / "staged.p12")
    (mount / "password").write_text(ids["alice"]["password"])
    job = {"json_env": _json_env(fx, ids),
           "files_env": {"MXTLS_CLIENT_CERTIFICATE_FILE": str(mount / "client.p12"),
                         "MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE": str(mount / "password"),
                         "MXTLS_CERTIFICATE_AUTHORITIES_FILE": fx.server_ca[1], "MXTLS_SYSTEM_ROOTS": "0"},
           "staged": str(mount / "staged.p12"),
           "urls": {h: fx.url("verified", h) for h in ("localhost", "127.0.0.1")}}
    trace = tmp_path / "strace.txt"
    env = dict(os.environ, TMPDIR=str(private_tmp), PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=BINDING,
               MXTLS_LIBRARY=mxtls.library_path)
    roots = sorted({str(private_tmp), str(cwd), "/tmp", os.environ.get("TMPDIR", "/tmp")})
    before = _snapshot(roots)
    r = subprocess.run(["strace", "-f", "-qq", "-o", str(trace), "-e",
                        "trace=open,openat,openat2,creat,rename,renameat,renameat2,link,linkat,symlink,"
                        "symlinkat,memfd_create", sys.executable, "-c", CHILD, HERE, json.dumps(job)],
                       cwd=str(cwd), env=env, capture_output=True, text=True, timeout=120)
    if r.returncode != 0 and "ptrace" in r.stderr:
        pytest.skip("ptrace is not permitted here: " + r.stderr.strip()[:200])
    assert r.returncode == 0 and "child ok" in r.stdout, r.stdout + r.stderr
    after = _snapshot(roots)

    written = set()
    memfds = 0
    for line in trace.read_text().splitlines():
        if "memfd_create(\"mxtls-identity\"" in line:
            memfds += 1
        m = _OPEN.match(line)
        if m and _WRITE_FLAGS.search(m.group(2)) and not m.group(1).startswith("/dev/"):
            written.add(m.group(1))
        m = _MOVE.match(line)
        if m:
            written.add(m.group(1))
    written.discard(job["files_env"]["MXTLS_CLIENT_CERTIFICATE_FILE"])  # the child's own rotation (a .p12)
    assert written == set(), f"the run created or wrote files: {sorted(written)}"
    assert memfds >= 3, "the identities did not go through a memfd"  # alice, bob; bob again after rotation

    new_keys = [p for p, v in after.items() if before.get(p) != v and _holds_key(p)]
    ours = [p for p in new_keys if p.startswith((str(private_tmp), str(cwd))) or p in written]
    assert ours == [], ours
