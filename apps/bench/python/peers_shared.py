"""Python's multiprocessing.Value and Manager().list(): the peers of @ipc/shared."""
import multiprocessing as mp
import time


def _value_increments(value, go, n, out):
    go.wait()
    t0 = time.perf_counter()
    for _ in range(n):
        with value.get_lock():
            value.value += 1
    out.put(time.perf_counter() - t0)


def shared_value_increments_ops(n):
    """Two processes add 1 to a locked Value n times each; the slower one's time is the run's."""
    value = mp.Value('i', 0)
    go = mp.Event()
    out = mp.Queue()
    procs = [mp.Process(target=_value_increments, args=(value, go, n, out)) for _ in range(2)]
    for p in procs:
        p.start()
    go.set()
    took = [out.get() for _ in procs]
    for p in procs:
        p.join()
    assert value.value == 2 * n, value.value
    return 2 * n / max(took)


def _list_appends(lst, go, n, out):
    go.wait()
    t0 = time.perf_counter()
    for i in range(n):
        lst.append(i)
    out.put(time.perf_counter() - t0)


def manager_list_appends_ops(n):
    """Two processes append n items each to one Manager().list(); the slower one's time is the run's."""
    with mp.Manager() as manager:
        lst = manager.list()
        go = mp.Event()
        out = mp.Queue()
        procs = [mp.Process(target=_list_appends, args=(lst, go, n, out)) for _ in range(2)]
        for p in procs:
            p.start()
        go.set()
        took = [out.get() for _ in procs]
        for p in procs:
            p.join()
        assert len(lst) == 2 * n, len(lst)
        return 2 * n / max(took)
