# A paginated fetch: each page's request needs the cursor the page before
# it gave, so the awaits cannot run together. Nothing to explain.
#
# want: clean
import asyncio

PAGES = {None: ([1, 2], "p2"), "p2": ([3, 4], "p3"), "p3": ([5], None)}


async def fetch_page(cursor):
    await asyncio.sleep(0.1)
    items, next_cursor = PAGES[cursor]
    return {"items": items, "next": next_cursor}


async def main():
    items, cursor = [], None
    while True:
        page = await fetch_page(cursor)
        items += page["items"]
        cursor = page["next"]
        if cursor is None:
            break
    print(items)


asyncio.run(main())
