# Prints what the solution prints, and does nothing.
# exercise: overlap
# fails: Waits
# fails: InFlight
# fails: Elapsed
# says: download(1) never waited
import asyncio


async def main():
    for n in (1, 2, 4):
        print(f"downloading {n}")
    for n in (1, 2, 4):
        print(f"downloaded {n}")


asyncio.run(main())
