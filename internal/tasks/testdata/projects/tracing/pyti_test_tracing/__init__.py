"""Counts what a function leaves running."""
import sys
import threading


def tracer():
    """The trace function this thread runs under, None when nothing traces it."""
    return sys.gettrace()


def tracer_in_thread():
    """The trace function a new thread starts with."""
    seen = []
    t = threading.Thread(target=lambda: seen.append(sys.gettrace()))
    t.start()
    t.join()
    return seen[0]


def double(x):
    return 2 * x
