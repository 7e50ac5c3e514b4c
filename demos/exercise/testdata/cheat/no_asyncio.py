# Prints the lines of a pass, with no event loop at all.
# exercise: as-completed
# fails: problem
# says: never started an asyncio event loop
for n in (1, 2, 3):
    print(f"got {n}")
