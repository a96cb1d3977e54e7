"""Draft arrangements: numbered versions of ordered sections, the required-content checklist, compare."""
