"""Privacy use cases: complaints' free text stored protected, the data-exchange gateway (strings, documents, files)."""
