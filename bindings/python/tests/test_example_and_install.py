"""The example program (exit codes and body), and installing the package into a venv."""
import json
import os
import shutil
import subprocess
import sys

import pytest

import mxtls

from conftest import BINDING, REPO

EXAMPLE = os.path.join(REPO, "examples", "python", "call_api.py")


def _run(env_extra, url, timeout=60, pythonpath=BINDING):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLIENT_CERT", "CERTIFICATE_AUTH", "MXTLS_"))}
    env.update(PYTHONPATH=pythonpath, MXTLS_LIBRARY=mxtls.library_path, **env_extra)
    return subprocess.run([sys.executable, EXAMPLE, url], env=env, capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def files_env(fx, ids, tmp_path_factory):
    d = tmp_path_factory.mktemp("example")
    (d / "password").write_text(ids["bob"]["password"] + "\n")
    return {"MXTLS_CLIENT_CERTIFICATE_FILE": ids["bob"]["p12"],
            "MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE": str(d / "password"),
            "MXTLS_CERTIFICATE_AUTHORITIES_FILE": fx.server_ca[1]}


def test_example_prints_the_body(fx, files_env):
    r = _run(files_env, fx.url())
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["subject"] == "CN=bob.fixture.test"


def test_example_without_requests_uses_urllib(fx, files_env, tmp_path):
    (tmp_path / "requests.py").write_text("raise ImportError('requests is not installed here')\n")
    r = _run(files_env, fx.url(), pythonpath=f"{tmp_path}:{BINDING}")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["subject"] == "CN=bob.fixture.test"
    r = _run(files_env, fx.url(path="/" + "a" * 9000), pythonpath=f"{tmp_path}:{BINDING}")
    assert r.returncode == 4 and r.stderr.startswith("http: 414"), r.stderr


def test_example_wrong_password(fx, files_env, tmp_path):
    (tmp_path / "pw").write_text("definitely-wrong-pw\n")
    r = _run(dict(files_env, MXTLS_CLIENT_CERTIFICATE_PASSWORD_FILE=str(tmp_path / "pw")), fx.url())
    assert r.returncode == 2 and r.stderr.startswith("mxtls: wrong_password: "), r.stderr
    assert "definitely-wrong-pw" not in r.stderr and r.stdout == ""


def test_example_untrusted_server(fx, files_env):
    r = _run(files_env, fx.url("untrusted"))
    assert r.returncode == 3 and r.stderr.startswith("tls: CERTIFICATE_VERIFY_FAILED"), r.stderr


def test_example_http_error(fx, files_env):
    r = _run(files_env, fx.url(path="/" + "a" * 9000))  # nginx: 414 URI Too Long
    assert r.returncode == 4 and r.stderr.startswith("http: 414"), (r.returncode, r.stderr)


def test_example_network_error(fx, files_env):
    r = _run(files_env, "https://127.0.0.1:1/")
    assert r.returncode == 5 and r.stderr.startswith("network: "), (r.returncode, r.stderr)


def test_example_config_error(fx):
    r = _run({"CLIENT_CERTIFICATES": "[{"}, fx.url())
    assert r.returncode == 2 and r.stderr.startswith("mxtls: config: CLIENT_CERTIFICATES"), r.stderr


def test_pip_install_into_a_venv(tmp_path):
    """The documented offline install: `pip install bindings/python` in a venv with system packages."""
    src = tmp_path / "src"  # pip builds in the tree (build/, *.egg-info): use a copy
    shutil.copytree(BINDING, src, ignore=shutil.ignore_patterns("__pycache__", "build", "*.egg-info", "tests", "bench"))
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(src)], capture_output=True, text=True,
                         timeout=120,
                         cwd=str(tmp_path))  # not from the source tree: import the installed copy
    assert pip.returncode == 0, pip.stdout + pip.stderr
    env = dict(os.environ, MXTLS_LIBRARY=mxtls.library_path)
    env.pop("PYTHONPATH", None)
    probe = ("import mxtls, mxtls.requests, mxtls.httpx, mxtls.urllib, mxtls.aiohttp; "
             "print(mxtls.__file__); print(mxtls.library_version())")
    r = subprocess.run([str(venv / "bin" / "python"), "-c", probe], env=env, capture_output=True, text=True,
                       cwd=str(tmp_path))
    assert r.returncode == 0, r.stderr
    where, version = r.stdout.split()
    assert where.startswith(str(venv)) and version == mxtls.library_version()
