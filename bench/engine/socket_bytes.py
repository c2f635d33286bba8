#!/usr/bin/env python3
"""Bytes a process received and sent over its sockets, from `strace -f -ff -ttt -yy -s 0` output
(one file per thread: PREFIX.<tid>). Usage: socket_bytes.py PREFIX [METRICS_JSON [STEP_NAME]]

Every read/readv/recvfrom/recvmsg/recvmmsg (received) and write/writev/sendto/sendmsg/sendmmsg
(sent) with a non-negative return value is counted; -yy decorates each fd with what it is, so a
call counts as socket traffic when its fd is a socket (TCP, UDP, UNIX, NETLINK or an unnamed
socket:[inode]) and as file/pipe traffic otherwise. With the run's --metrics-json, the bytes
received between the step's started_at and finished_at (ms precision, widened by 1 ms) are given
too. Prints one JSON object."""
import datetime
import json
import re
import sys
from collections import defaultdict
from glob import glob

RECV = {"read", "readv", "recvfrom", "recvmsg", "recvmmsg"}
SEND = {"write", "writev", "sendto", "sendmsg", "sendmmsg"}
SOCKET = re.compile(r"^(TCP|TCPv6|UDP|UDPv6|UDPLITE|UNIX|UNIX-STREAM|UNIX-DGRAM|UNIX-SEQPACKET|NETLINK|RAW|PACKET|socket:)")
CALL = re.compile(r"^(\d+\.\d+) (\w+)\((\d+)<(.*?)>[,)]")
RET = re.compile(r"\) += (-?\d+)")
UNFINISHED = re.compile(r"^(\d+\.\d+) (\w+)\((\d+)<(.*?)>.*<unfinished \.\.\.>$")
RESUMED = re.compile(r"^(\d+\.\d+) <\.\.\. (\w+) resumed>.*\) += (-?\d+)")


def epoch(iso):
    return datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def main():
    prefix = sys.argv[1]
    window = None
    if len(sys.argv) > 2:
        metrics = json.load(open(sys.argv[2]))
        want = sys.argv[3] if len(sys.argv) > 3 else None
        step = next(s for s in metrics["steps"] if want is None or s["name"] == want)
        window = (epoch(step["started_at"]) - 0.001, epoch(step["finished_at"]) + 0.001, step["name"])

    events = []  # (ts, syscall, fd annotation, bytes)
    files = sorted(glob(prefix + ".*"))
    for path in files:
        pending = {}
        for line in open(path, errors="replace"):
            line = line.rstrip("\n")
            m = UNFINISHED.match(line)
            if m:
                pending[m.group(2)] = (float(m.group(1)), m.group(2), m.group(4))
                continue
            m = RESUMED.match(line)
            if m:
                start = pending.pop(m.group(2), None)
                if start and int(m.group(3)) >= 0:
                    events.append((start[0], start[1], start[2], int(m.group(3))))
                continue
            m = CALL.match(line)
            r = RET.search(line)
            if m and r and int(r.group(1)) >= 0:
                events.append((float(m.group(1)), m.group(2), m.group(4), int(r.group(1))))

    out = {"threads_traced": len(files), "socket_received_bytes": 0, "socket_sent_bytes": 0,
           "socket_receive_calls": 0, "other_fd_read_bytes": 0, "other_fd_written_bytes": 0,
           "connections": []}
    per_socket = defaultdict(lambda: {"received_bytes": 0, "sent_bytes": 0})
    for ts, call, fd, n in events:
        is_socket = bool(SOCKET.match(fd))
        if call in RECV:
            if is_socket:
                out["socket_received_bytes"] += n
                out["socket_receive_calls"] += 1
                per_socket[fd]["received_bytes"] += n
            else:
                out["other_fd_read_bytes"] += n
        elif call in SEND:
            if is_socket:
                out["socket_sent_bytes"] += n
                per_socket[fd]["sent_bytes"] += n
            else:
                out["other_fd_written_bytes"] += n
    out["connections"] = [{"socket": k, **v} for k, v in sorted(per_socket.items())]
    if window:
        lo, hi, name = window
        out["step"] = name
        out["step_window_epoch"] = [lo, hi]
        out["step_socket_received_bytes"] = sum(n for ts, call, fd, n in events
                                                if call in RECV and SOCKET.match(fd) and lo <= ts <= hi)
        out["step_socket_sent_bytes"] = sum(n for ts, call, fd, n in events
                                            if call in SEND and SOCKET.match(fd) and lo <= ts <= hi)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
