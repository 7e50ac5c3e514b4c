"""Fan out N concurrent GETs with aiohttp on one shared ClientSession, and time it.

    python3 bench_http.py URL N LIMIT

URL is the SMS API's call to make (http://127.0.0.1:PORT/1, which answers
after a delay). LIMIT is the session connector's limit on open connections:
256 as the sms twin sets it, 100 aiohttp's default, 0 none. Prints one JSON
line: the time from the first request to the last response, and how many
answered 200 with the expected text.
"""

import asyncio
import json
import resource
import sys
import time

import aiohttp


async def get(session, url):
    async with session.get(url) as resp:
        return resp.status == 200 and (await resp.text()).strip().endswith("It works")


async def fan_out(url, n, limit):
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout, connector=aiohttp.TCPConnector(limit=limit)) as session:
        start = time.perf_counter()
        results = await asyncio.gather(*(get(session, url) for _ in range(n)), return_exceptions=True)
        seconds = time.perf_counter() - start
    errors = [r for r in results if isinstance(r, BaseException)]
    return {"n": n, "limit": limit, "ok": sum(r is True for r in results), "seconds": seconds,
            "first_error": repr(errors[0]) if errors else None}


def main():
    url, n, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    # A process started by Go gets the soft limit of open files Go started
    # with (1024 on a fresh Debian), not the one Go raised itself to: raise it.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass  # an unlimited hard limit the kernel will not grant: keep the soft one
    print(json.dumps(asyncio.run(fan_out(url, n, limit))))


if __name__ == "__main__":
    main()
