"""Python's multiprocessing.Pipe carrying values (pickled by send/recv): the peer of @ipc/pipe's Connection.

The bytes figures (pipe_roundtrip_ms, pipe_oneway_ops, pipe_64mib_mbs) live in peers_channel.py.
"""
import multiprocessing as mp
import time

VALUE = {'i': 1, 's': 'hello', 'list': [1, 2, 3]}


def _echo_values(conn):
    while True:
        v = conn.recv()
        if v is None:
            break
        conn.send(v)


def pipe_value_roundtrip_ms(n):
    a, b = mp.Pipe()
    p = mp.Process(target=_echo_values, args=(b,))
    p.start()
    a.send('ping')
    a.recv()
    figure = None
    for _ in range(2):  # the second run is the figure: measured warm, as the Node subjects are
        t0 = time.perf_counter()
        for _ in range(n):
            a.send(VALUE)
            a.recv()
        figure = (time.perf_counter() - t0) * 1000 / n
    a.send(None)
    p.join()
    return figure
