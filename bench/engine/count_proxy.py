#!/usr/bin/env python3
"""A TCP relay that counts bytes: the wire-level cross-check of the strace count in
bench/engine/run.sh. Usage: count_proxy.py UPSTREAM_HOST UPSTREAM_PORT PORT_FILE OUT_JSON

Listens on 127.0.0.1 (a free port, written to PORT_FILE once it accepts connections) and relays
each connection to UPSTREAM_HOST:UPSTREAM_PORT, counting the bytes the server sent towards the
client (`to_client`) and the client sent towards the server (`to_server`) per connection. On
SIGTERM or SIGINT it writes the counts to OUT_JSON and exits. The client is pointed at it by
PGPORT; a client that ignores PGPORT would simply not be counted, so run.sh checks that the relay
saw at least one connection."""
import json
import os
import signal
import socket
import sys
import threading

host, port, port_file, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
lock = threading.Lock()
connections = []


def pump(src, dst, rec, key):
    while True:
        try:
            data = src.recv(1 << 16)
        except OSError:
            break
        if not data:
            break
        with lock:
            rec[key] += len(data)
        try:
            dst.sendall(data)
        except OSError:
            break
    for s, how in ((dst, socket.SHUT_WR), (src, socket.SHUT_RD)):
        try:
            s.shutdown(how)
        except OSError:
            pass


def finish(*_):
    with lock:
        result = {"upstream": f"{host}:{port}", "connections": [dict(c) for c in connections],
                  "to_client_bytes": sum(c["to_client_bytes"] for c in connections),
                  "to_server_bytes": sum(c["to_server_bytes"] for c in connections)}
    with open(out + ".tmp", "w") as f:
        json.dump(result, f)
    os.replace(out + ".tmp", out)
    os._exit(0)


signal.signal(signal.SIGTERM, finish)
signal.signal(signal.SIGINT, finish)
listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(64)
with open(port_file + ".tmp", "w") as f:
    f.write(str(listener.getsockname()[1]))
os.replace(port_file + ".tmp", port_file)
while True:
    client, peer = listener.accept()
    upstream = socket.create_connection((host, port))
    for s in (client, upstream):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    rec = {"client": f"{peer[0]}:{peer[1]}", "to_client_bytes": 0, "to_server_bytes": 0}
    with lock:
        connections.append(rec)
    threading.Thread(target=pump, args=(upstream, client, rec, "to_client_bytes"), daemon=True).start()
    threading.Thread(target=pump, args=(client, upstream, rec, "to_server_bytes"), daemon=True).start()
