"""Uploaded files (issue 19): documents and images attached to drafts, photos of workshop flipcharts.

- sniff.py: what a file really is, from its content (never its name), and the rules that refuse the rest;
- storage.py: where accepted files are kept (outside the web root, by random id) and how they are served;
- models.py: StoredFile (one file on disk) and DraftAttachment (a file shown with a draft or one of its sections);
- services.py / routes.py: attaching, removing and downloading, with permission checks and log entries.
"""
