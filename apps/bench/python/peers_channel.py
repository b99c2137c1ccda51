"""Python's multiprocessing.Pipe between two processes: the peer of the thread channel and of @ipc/pipe."""
import multiprocessing as mp
import time

SMALL = b'x' * 16


def _echo(conn):
    while True:
        m = conn.recv_bytes()
        if not m:
            break
        conn.send_bytes(m)


def _count(conn):
    while True:
        m = conn.recv_bytes()
        if not m:
            break
        if len(m) == 1:
            conn.send_bytes(b'k')


def _peer(target):
    a, b = mp.Pipe()
    p = mp.Process(target=target, args=(b,))
    p.start()
    return a, p


def _stop(a, p):
    a.send_bytes(b'')
    p.join()


def pipe_roundtrip_ms(n):
    a, p = _peer(_echo)
    t0 = time.perf_counter()
    for _ in range(n):
        a.send_bytes(SMALL)
        a.recv_bytes()
    ms = (time.perf_counter() - t0) * 1000 / n
    _stop(a, p)
    return ms


def pipe_oneway_ops(n):
    a, p = _peer(_count)
    t0 = time.perf_counter()
    for _ in range(n):
        a.send_bytes(SMALL)
    a.send_bytes(b'e')
    a.recv_bytes()
    ops = n / (time.perf_counter() - t0)
    _stop(a, p)
    return ops


def pipe_64mib_mbs(n):
    a, p = _peer(_count)
    block = b'\x07' * (64 << 20)
    t0 = time.perf_counter()
    for _ in range(n):
        a.send_bytes(block)
        a.send_bytes(b'e')
        a.recv_bytes()
    mbs = 64 * n / (time.perf_counter() - t0)
    _stop(a, p)
    return mbs
