"""Python's multiprocessing.Queue: the peer of @ipc/queue's Queue (small items, producers and consumers in processes).

The figures are items per second, from the moment every producer and consumer is running and
the producers are let go, to the last get.
"""
import multiprocessing as mp
import time


def _produce(q, count, go, ready):
    ready.put(1)
    go.wait()
    for i in range(count):
        q.put(i)


def _consume(q, count, ready, done):
    ready.put(1)
    for _ in range(count):
        q.get()
    done.put(1)


def _flow(n, producers, consumers):
    q = mp.Queue()
    ready = mp.Queue()
    done = mp.Queue()
    go = mp.Event()
    each_in = n // producers
    each_out = each_in * producers // consumers
    procs = [mp.Process(target=_consume, args=(q, each_out, ready, done)) for _ in range(consumers)]
    procs += [mp.Process(target=_produce, args=(q, each_in, go, ready)) for _ in range(producers)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get()
    t0 = time.perf_counter()
    go.set()
    for _ in range(consumers):
        done.get()
    ops = each_in * producers / (time.perf_counter() - t0)
    for p in procs:
        p.join()
    return ops


def queue_1to1_ops(n):
    return _flow(n, 1, 1)


def queue_4to4_ops(n):
    return _flow(n, 4, 4)
