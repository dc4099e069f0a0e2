"""Connectors to the platforms, one folder each over one small base (see base.py)."""
