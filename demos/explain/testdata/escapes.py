# A program's control sequences never reach the terminal as they are.
print("\x1b]0;pwned\x07title \x1b[31mred\x1b[0m")
