"""CPython side of BenchmarkGather124 (demos/aio/bench_test.go) and
BenchmarkLessonGather (cmd/asyncdemo/bench_test.go).

The tutorial's concurrency program in real time: tasks of 1, 2 and 4 s
print "Waiting", sleep, and return "Done after Ns"; the loop runs them with
asyncio.wait (the seed, and asyncdemo's default) or asyncio.gather, then the
results are printed. Ideal: as long as the longest task. Prints one JSON
line with the elapsed time and the overshoot past the longest duration.
The lines the program prints go to a buffer, not the terminal.

    python3 bench_gather124.py [wait|gather] [DURATIONS]    (gather 1,2,4)
"""
import asyncio
import io
import json
import sys
import time

out = io.StringIO()


async def do_some_work(x):
    print("Waiting: ", x, file=out)
    await asyncio.sleep(x)
    return "Done after {}s".format(x)


def main():
    how = sys.argv[1] if len(sys.argv) > 1 else "gather"
    durations = [float(x) for x in (sys.argv[2] if len(sys.argv) > 2 else "1,2,4").split(",")]
    durations = [int(x) if x.is_integer() else x for x in durations]
    loop = asyncio.new_event_loop()
    try:
        start = time.perf_counter()
        tasks = [loop.create_task(do_some_work(x)) for x in durations]
        if how == "wait":
            loop.run_until_complete(asyncio.wait(tasks))
        else:
            loop.run_until_complete(asyncio.gather(*tasks))
        for task in tasks:
            print("Task ret: ", task.result(), file=out)
        elapsed = time.perf_counter() - start
    finally:
        loop.close()
    print(json.dumps({
        "with": how,
        "seconds": elapsed,
        "overshoot_ms": (elapsed - max(durations)) * 1e3,
        "python": sys.version.split()[0],
    }))


if __name__ == "__main__":
    main()
