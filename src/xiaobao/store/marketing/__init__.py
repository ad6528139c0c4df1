"""Marketing storage: materials, reviews, publications (tables + repository)."""
