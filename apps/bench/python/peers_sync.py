"""Python's multiprocessing.Lock and Value.get_lock(): the peers of @ipc/sync's Lock."""
import multiprocessing as mp
import time

from _race import race_two


def lock_uncontended_ops(n):
    lock = mp.Lock()
    t0 = time.perf_counter()
    for _ in range(n):
        lock.acquire()
        lock.release()
    return n / (time.perf_counter() - t0)


def _increment(value, go, n, out):
    go.wait()
    lock = value.get_lock()
    t0 = time.perf_counter()
    for _ in range(n):
        with lock:
            value.value += 1
    out.put(time.perf_counter() - t0)


def locked_increments_ops(n):
    """Two processes add 1 to a shared Value n times each under its lock; the slower one's time is the run's."""
    value = mp.Value('i', 0)
    ops = race_two(_increment, value, n)
    assert value.value == 2 * n, value.value
    return ops
