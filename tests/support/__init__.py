"""Helpers that several test modules share. Test modules import from here (`from tests.support.… import …`),
never from one another: a test module imported by another is collected once and imported twice."""
