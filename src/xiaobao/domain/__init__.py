"""Pure domain model: complaints, tiers, regulatory clocks, findings. No database, no web."""
