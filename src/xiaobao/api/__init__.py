"""HTTP API (FastAPI): routers per area, auth as a dependency, schemas at the edge only."""
