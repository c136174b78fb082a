"""HOSTILE, for testing PYTI: reaches out from every kind of process a payload can hide in.

The main process, a thread, a child forked without exec and a double-forked daemon each
connect to their own port of 203.0.113.9, TEST-NET-3 (RFC 5737): documentation only, never
routed. A sandbox that follows only the processes that call exec sees one of the four.
"""

import os
import socket
import threading

HOST = "203.0.113.9"


def _reach(port):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect((HOST, port))
    except OSError:
        pass
    finally:
        s.close()


def run():
    _reach(9001)  # the main process

    t = threading.Thread(target=_reach, args=(9002,))  # a thread
    t.start()
    t.join()

    pid = os.fork()  # a child that never calls exec
    if pid == 0:
        try:
            _reach(9003)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)

    r, w = os.pipe()  # a double-forked daemon; the pipe tells when it is done
    pid = os.fork()
    if pid == 0:
        try:
            os.setsid()
            if os.fork() == 0:
                try:
                    _reach(9004)
                    os.write(w, b"x")
                finally:
                    os._exit(0)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    os.close(w)
    os.read(r, 1)
    os.close(r)
