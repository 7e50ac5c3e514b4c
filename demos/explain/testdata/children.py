# A program that runs other processes: they are not traced (a note), and
# what they print is shown. Nothing to explain in the program itself.
#
# want: clean
# want: children
import asyncio
import subprocess
import sys


async def main():
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "print('from a child')")
    await proc.wait()
    out = subprocess.run(["echo", "from echo"], capture_output=True, text=True).stdout
    print(out.strip())


asyncio.run(main())
