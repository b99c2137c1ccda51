"""Python's side of the benchmarks: one figure per call, printed as JSON.

usage: python3 peers.py <figure> <size> [repetitions]   ->   {"value": <median>, "maxRss": <bytes>}
Figures measure the same thing as the @ipc subject of the same name, in the same unit.
"""
import json
import multiprocessing as mp
import resource
import statistics
import sys
import threading
import time


def noop():
    pass


def ms_per_op(n, op):
    t0 = time.perf_counter()
    for _ in range(n):
        op()
    return (time.perf_counter() - t0) * 1000 / n


def thread_start_join(n):
    def op():
        t = threading.Thread(target=noop)
        t.start()
        t.join()
    return ms_per_op(n, op)


def process_start_join(n):
    def op():
        p = mp.Process(target=noop)
        p.start()
        p.join()
    return ms_per_op(n, op)


SUFFIXES = ('_join', '_ops', '_rtt', '_mbs', '_ms')


def figures():
    """This file's figures and those of every sibling peers_<group>.py (one per package, so groups stay apart)."""
    import glob
    import importlib
    import os
    found = {name: fn for name, fn in globals().items() if callable(fn) and name.endswith(SUFFIXES)}
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, here)
    for path in sorted(glob.glob(os.path.join(here, 'peers_*.py'))):
        module = importlib.import_module(os.path.basename(path)[:-3])
        found.update({n: f for n, f in vars(module).items() if callable(f) and n.endswith(SUFFIXES)})
    return found


def main():
    name, size = sys.argv[1], int(sys.argv[2])
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    fn = figures()[name]
    if reps > 1:
        fn(max(1, size // 10))  # warm-up
    values = [fn(size) for _ in range(reps)]
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(json.dumps({"value": statistics.median(values), "maxRss": max(rss, rss_children)}))


if __name__ == '__main__':
    main()
