"""Complaint storage: the complaints table mapped onto the domain aggregate, import runs (tables + repository)."""
