"""The pages (HTML, CSS, ES modules; no Python): installed as package data and served by
:mod:`api.pages`, which finds them through ``importlib.resources``."""
