"""The consultation log: one append-only, hash-chained record of everything that happens.

`append()` in services.py is the only writer. This package imports nothing
from the portal's other rooms.
"""
