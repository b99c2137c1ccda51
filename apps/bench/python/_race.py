"""The shape of the two-worker figures: two processes do `n` operations each on one shared object."""
import multiprocessing as mp


def race_two(target, shared, n):
    """Starts two processes running target(shared, go, n, out), lets them go at once; returns ops/s by the slower one."""
    go = mp.Event()
    out = mp.Queue()
    procs = [mp.Process(target=target, args=(shared, go, n, out)) for _ in range(2)]
    for p in procs:
        p.start()
    go.set()
    took = [out.get() for _ in procs]
    for p in procs:
        p.join()
    return 2 * n / max(took)
