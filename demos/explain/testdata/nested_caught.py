# loop.run_until_complete on the loop that is running, the error caught:
# the program goes on, but the finding stays.
#
# want: nested-run 16
import asyncio


async def fetch(x):
    await asyncio.sleep(x)
    return x


async def main():
    loop = asyncio.get_running_loop()
    try:
        loop.run_until_complete(fetch(0.1))
    except RuntimeError as e:
        print("refused:", e)
    print(await fetch(0.1))


asyncio.run(main())
