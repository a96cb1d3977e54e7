"""Independent scrutiny: the trail, its verification, findings, exports and the yearly report."""
