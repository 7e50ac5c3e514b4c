# Blocks its loop once (0.3 s), then waits for ever: Ctrl+C stops it (exit
# 130), and what was found until then is shown. (No "want": it never ends by
# itself; asyncdemo's terminal test runs it.)
import asyncio
import time


async def main():
    time.sleep(0.3)
    print("now waiting for Ctrl+C", flush=True)
    await asyncio.sleep(3600)


asyncio.run(main())
