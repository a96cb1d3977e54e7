"""Personal data: privacy notices, consent to publish, access, erasure, retention and the record of processing."""
# The text that replaces words removed at their author's request. The log keeps the original's SHA-256, and
# app/trail/verify_log.py (standalone) carries the same string: keep them equal.
ERASED_MARKER = "[removed at the author's request]"
