# An uncaught exception: Python's own traceback, from the program's first
# line (none of asyncdemo's), and exit 1.
#
# want: clean
# exit: 1
import asyncio


async def main():
    raise RuntimeError("no luck")


asyncio.run(main())
