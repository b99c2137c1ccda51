"""Python's multiprocessing.Value and Manager().list(): the peers of @ipc/shared."""
import multiprocessing as mp
import time

from _race import race_two


def _value_increments(value, go, n, out):
    go.wait()
    t0 = time.perf_counter()
    for _ in range(n):
        with value.get_lock():
            value.value += 1
    out.put(time.perf_counter() - t0)


def shared_value_increments_ops(n):
    """Two processes add 1 to a locked Value n times each (`with v.get_lock(): v.value += 1`); the slower one's time is the run's."""
    value = mp.Value('i', 0)
    ops = race_two(_value_increments, value, n)
    assert value.value == 2 * n, value.value
    return ops


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
        ops = race_two(_list_appends, lst, n)
        assert len(lst) == 2 * n, len(lst)
        return ops
