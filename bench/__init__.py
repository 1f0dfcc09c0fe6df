"""kiosk's benchmarks: scripts that measure and print numbers (`python -m bench`), never tests.

Each figure of issue 7 lives in its own module and returns `Result` rows; `__main__` prints them as
one table. Nothing here may change product behaviour or assert a timing: a slow figure is reported
as FAIL in the table, never as a crash. It must never touch a real modem or the user's database.
"""
