"""Python's subprocess.run of a trivial command with captured text output: the peer of @ipc/subprocess's run."""
import subprocess
import time


def subprocess_run_ms(n):
    t0 = time.perf_counter()
    for _ in range(n):
        subprocess.run(['echo', 'hello'], capture_output=True, text=True)
    return (time.perf_counter() - t0) * 1000 / n
