"""Ports on 127.0.0.1 for the tests' real servers (nginx, openssl s_server, gnutls-serv)."""
import socket
import time


def free_port():
    """A port nothing listens on now (the server started next binds it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port, proc, timeout=10.0, host="127.0.0.1"):
    """Wait until port accepts connections: True, or False if proc exits or time runs out."""
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.03)
    return False


def wait_port(port, proc, timeout=10.0):
    """As port_open(), raising RuntimeError with the reason instead of returning False."""
    if not port_open(port, proc, timeout):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early ({proc.returncode})")
        raise RuntimeError(f"port {port} did not open")
