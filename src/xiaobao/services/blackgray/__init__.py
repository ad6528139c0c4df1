"""Black/gray-industry use cases: triage at intake, leads, review, intelligence, evidence export."""
