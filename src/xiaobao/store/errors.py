"""Errors of the store that services act on, under the store's names, so services need not know the ORM."""

from sqlalchemy.exc import IntegrityError

# A constraint refused a write: in practice a unique key another writer took first (a username, a
# complaint's channel + external id), which the caller answers with a conflict or a re-check. The ORM's
# own class rather than a wrapper: it is raised at an insert, at an autoflush inside any query, or at
# commit, and an alias catches it at every one of those exactly as before.
ConstraintViolation = IntegrityError
