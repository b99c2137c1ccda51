"""Python's multiprocessing.Pool: the peer of @ipc/pool (2 workers, tiny tasks)."""
import multiprocessing as mp
import time


def inc(x):
    return x + 1


def pool_apply_async_ops(n):
    with mp.Pool(2) as pool:
        pool.apply(inc, (0,))  # workers up
        t0 = time.perf_counter()
        results = [pool.apply_async(inc, (i,)) for i in range(n)]
        for r in results:
            r.get()
        return n / (time.perf_counter() - t0)


def pool_map_ops(n):
    with mp.Pool(2) as pool:
        pool.map(inc, range(n))  # warmed as the Node subject is
        t0 = time.perf_counter()
        pool.map(inc, range(n))
        return n / (time.perf_counter() - t0)


def pool_latency_ms(n):
    with mp.Pool(2) as pool:
        for i in range(5000):  # warmed as the Node subjects are
            pool.apply(inc, (i,))
        t0 = time.perf_counter()
        for i in range(n):
            pool.apply(inc, (i,))
        return (time.perf_counter() - t0) * 1000 / n
