from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, settings

# CI runs a fixed, derandomised profile so a red run is reproducible; locally the
# default profile explores more.
settings.register_profile("ci", derandomize=True, max_examples=60, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

REPO = Path(__file__).resolve().parent.parent
REAL_TRACES = REPO.parent / "shared" / "real-traces"


# -- no test reaches beyond 127.0.0.1 ----------------------------------------------------------
# The development machines have no internet, and a test that needs it would pass or fail by
# luck elsewhere. Every connection this process opens must go to the loopback interface;
# anything else fails at once with the address it tried.

import ipaddress  # noqa: E402
import socket  # noqa: E402

_connect, _connect_ex, _getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo


def _loopback(address) -> bool:
    if not isinstance(address, tuple):
        return True  # AF_UNIX and the like
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self, address):
    if not _loopback(address):
        raise OSError(f"tests may only connect to 127.0.0.1; this one tried {address!r}")
    return _connect(self, address)


def _guarded_connect_ex(self, address):
    if not _loopback(address):
        raise OSError(f"tests may only connect to 127.0.0.1; this one tried {address!r}")
    return _connect_ex(self, address)


def _guarded_getaddrinfo(host, *args, **kwargs):
    if host not in (None, "localhost") and not _loopback((host if isinstance(host, str) else host.decode(), 0)):
        raise socket.gaierror(f"tests may only resolve loopback names; this one asked for {host!r}")
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]
