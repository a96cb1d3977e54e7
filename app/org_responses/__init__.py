"""Formal responses: one per organisation per consultation, prepared together and submitted once (issue 19)."""
