"""The demo knowledge base (a fictional company): documents, win/loss notes, a problem map.

Installed as package data; :mod:`kms.services.demo` finds it through ``importlib.resources``.
The generators (``build_docs.py``, ``generate_notes.py``) rebuild the committed files.
"""
