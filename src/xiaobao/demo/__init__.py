"""Demo data, loaded through the real services: complaints and their handling, collection calls, marketing materials."""
