# A program that forks: the child is not traced (a note); its output is
# shown, without a task; the parent goes on being explained.
#
# want: clean
# want: children
import asyncio
import os


async def main():
    await asyncio.sleep(0.01)
    pid = os.fork()
    if pid == 0:
        print("from the child", flush=True)
        os._exit(0)
    os.waitpid(pid, 0)
    await asyncio.sleep(0.01)
    print("from the parent")


asyncio.run(main())
