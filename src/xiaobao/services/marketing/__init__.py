"""Marketing pre-review use cases: check, submit, review, approval look-up, publications and coverage."""
