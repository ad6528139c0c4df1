"""Black/gray storage: triage flags, leads and members, intelligence, settings (tables + repository)."""
