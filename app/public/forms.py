"""The public pages take no input."""
