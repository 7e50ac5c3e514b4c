"""The CPython side of diff_test.go (TestLoopMatchesCPythonOnRandomPrograms).

    python3 diffrunner.py WORKERS < programs.json

reads a JSON list of program sources, each defining a function
program(loop, L, fmtv, fmtl, state, names), runs each on a fresh event loop
on the virtual clock of vclock.py (on WORKERS processes), and prints their
logs as a JSON list of lists.
"""
import asyncio, json, os, sys, traceback
from concurrent.futures import ProcessPoolExecutor

import vclock

def fmtv(x):
    if isinstance(x, asyncio.CancelledError):
        return "C"
    if isinstance(x, BaseException):
        return "E:" + str(x)
    return str(x)

def fmtl(xs):
    return "[" + ",".join(fmtv(x) for x in xs) + "]"

def state(f):
    if f.cancelled():
        return "cancelled"
    e = f.exception()
    if e is not None:
        return "exc " + fmtv(e)
    return "result " + fmtv(f.result())

def names(s):
    return "[" + ",".join(sorted(t.get_name() for t in s)) + "]"

def run_one(src):
    log = []
    try:
        ns = {"asyncio": asyncio}
        exec(compile(src, "<program>", "exec"), ns)
        loop = vclock.VirtualEventLoop()
        try:
            ns["program"](loop, log.append, fmtv, fmtl, state, names)
        finally:
            loop.close()
    except BaseException:
        log.append("PYERROR " + traceback.format_exc().replace("\n", " / "))
    return log

if __name__ == "__main__":
    progs = json.load(sys.stdin)
    workers = max(1, min(int(sys.argv[1]), os.cpu_count() or 1))
    if workers > 1:
        with ProcessPoolExecutor(workers) as ex:
            out = list(ex.map(run_one, progs, chunksize=1))
    else:
        out = [run_one(p) for p in progs]
    json.dump(out, sys.stdout)
