"""Classification use cases: classify at intake or in batch, corrections, training and activating models, points."""
