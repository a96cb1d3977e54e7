"""Consultations: a published version opened to audiences; comments, replies and votes."""
