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


def _count_into(conn):
    """As _count, reading every message into one buffer of its own (recv_bytes_into), touched before the clock starts."""
    buf = bytearray(b'\x01' * ((64 << 20) + 16))
    while True:
        n = conn.recv_bytes_into(buf)
        if n == 0:
            break
        if n == 1:
            conn.send_bytes(b'k')


def _peer(target):
    a, b = mp.Pipe()
    p = mp.Process(target=target, args=(b,))
    p.start()
    return a, p


def _stop(a, p):
    a.send_bytes(b'')
    p.join()


def _twice(target, timed):
    """Runs the timed loop twice on one peer and keeps the second: the channel is long-lived, measured warm, as the Node subjects are."""
    a, p = _peer(target)
    timed(a)
    figure = timed(a)
    _stop(a, p)
    return figure


def pipe_roundtrip_ms(n):
    def timed(a):
        t0 = time.perf_counter()
        for _ in range(n):
            a.send_bytes(SMALL)
            a.recv_bytes()
        return (time.perf_counter() - t0) * 1000 / n
    return _twice(_echo, timed)


def pipe_oneway_ops(n):
    def timed(a):
        t0 = time.perf_counter()
        for _ in range(n):
            a.send_bytes(SMALL)
        a.send_bytes(b'e')
        a.recv_bytes()
        return n / (time.perf_counter() - t0)
    return _twice(_count, timed)


def _64mib_mbs(n, reader):
    """64 MiB messages to `reader`, each followed by a 1-byte one it acknowledges: MB/s."""
    block = b'\x07' * (64 << 20)

    def timed(a):
        t0 = time.perf_counter()
        for _ in range(n):
            a.send_bytes(block)
            a.send_bytes(b'e')
            a.recv_bytes()
        return 64 * n / (time.perf_counter() - t0)
    return _twice(reader, timed)


def pipe_64mib_mbs(n):
    return _64mib_mbs(n, _count)


def pipe_64mib_into_mbs(n):
    """As pipe_64mib_mbs, the reader receiving into a buffer of its own (recv_bytes_into)."""
    return _64mib_mbs(n, _count_into)
