"""A stand-in for systemd's notification socket: binds a unix datagram socket at argv[1] and prints
each datagram as one JSON line (arrival time in ms, the assignments) on stdout. File descriptors
passed along (systemd-notify's BARRIER=1 pipe) are closed at once, as systemd does."""
import array
import json
import os
import socket
import sys
import time

sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(sys.argv[1])
print(json.dumps({"listening": sys.argv[1]}), flush=True)
while True:
    data, ancillary, _flags, _address = sock.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i")
            fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
            for fd in fds:
                try:
                    os.close(fd)
                except OSError:
                    pass
    lines = data.decode("utf-8", "replace").split("\n")
    state = dict(line.split("=", 1) for line in lines if "=" in line)
    print(json.dumps({"at": int(time.time() * 1000), "state": state}), flush=True)
