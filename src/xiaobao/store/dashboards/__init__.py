"""Aggregate queries behind the dashboards and the statistical reports, computed in SQL."""
