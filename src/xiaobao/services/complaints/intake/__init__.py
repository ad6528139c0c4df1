"""Intake, step by step: `sources` reads rows from files, `drafts` turns one raw record into a validated draft,
`storing` makes drafts protected, routed complaints on their clock (one transaction with their audit entries),
`group_commit` stores concurrent submits together, `importing` runs a whole file in batches with its errors file,
`recent` holds the per-intake settings read from the database."""
