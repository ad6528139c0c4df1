"""One module per console area; each exposes `router` and may expose `NAV` (see web/__init__.py)."""
