"""Complaint use cases: intake (validate, protect, route, start the clock), handling through the tiers, queries and views."""
