# No asyncio at all: it runs as it would without asyncdemo, exit code and all.
#
# want: no-asyncio
# exit: 3
import sys

print("hello", *sys.argv[1:])
print("oops", file=sys.stderr)
sys.exit(3)
