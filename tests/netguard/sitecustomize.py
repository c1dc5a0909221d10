"""Network guard for absorb's own processes in tests/test_offline.py (not part of absorb).

Put this folder first on PYTHONPATH and set ABSORB_NET_GUARD_LOG: every Python
process started that way (the CLI, and the Streamlit child it inherits the
environment to) records, one line each, any socket connect/sendto to an address
that is not loopback or AF_UNIX and any name lookup of a host that is not local.
It records instead of raising, because libraries swallow exceptions from their
telemetry threads; the test fails on a non-empty log.
"""

import os
import sys

LOG = os.environ.get("ABSORB_NET_GUARD_LOG")
LOOKUPS = ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr")
LOCAL_NAMES = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "::", "", None}


def _local_host(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    if host in LOCAL_NAMES:
        return True
    return isinstance(host, str) and (host.startswith("127.") or host == "::ffff:127.0.0.1")


def _local_address(address) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX path (or abstract socket)
        return True
    if isinstance(address, tuple) and address:
        return _local_host(address[0])
    return False


def _record(what: str) -> None:
    with open(LOG, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()} {' '.join(sys.argv)[:200]}: {what}\n")


def _hook(event: str, args: tuple) -> None:
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        address = args[1] if len(args) > 1 else None
        if address is not None and not _local_address(address):
            _record(f"{event} {address!r}")
    elif event in LOOKUPS and args and not _local_host(args[0]):
        _record(f"{event} {args[0]!r}")


if LOG:
    sys.addaudithook(_hook)
