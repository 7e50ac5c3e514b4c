# A program that replaces itself with another (os.execv): traced until
# then; the exit code is the new program's.
#
# want: clean
# want: children
# exit: 3
import asyncio
import os
import sys


async def main():
    await asyncio.sleep(0.01)
    print("about to exec", flush=True)


asyncio.run(main())
os.execv(sys.executable, [sys.executable, "-c", "print('from the new program'); raise SystemExit(3)"])
