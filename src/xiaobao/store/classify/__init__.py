"""Classification storage: predictions, complaint points, corrections, model versions (tables + repository)."""
