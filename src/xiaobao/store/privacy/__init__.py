"""Privacy storage: the access log of who unmasked what (tables + repository)."""
