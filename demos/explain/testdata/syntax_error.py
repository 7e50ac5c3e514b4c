# Python's own message, exit 1, and nothing else.
#
# want: not-run
# exit: 1
import asyncio

async def main(:
    pass
