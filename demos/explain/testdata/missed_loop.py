# A loop that awaits each fetch before starting the next: the fetches do not
# depend on each other, so they could all run at once.
#
# want: missed-concurrency 17
import asyncio


async def fetch(url):
    await asyncio.sleep(0.1)
    return len(url)


async def main():
    urls = ["/a", "/bb", "/ccc", "/dddd", "/eeeee"]
    sizes = []
    for url in urls:
        sizes.append(await fetch(url))
    print(sizes)


asyncio.run(main())
