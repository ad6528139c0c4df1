"""Collection QA storage: calls, findings, disputes (tables + repository)."""
