"""Use cases: each opens a unit of work, asks the domain and engines, records the audit event, commits."""
