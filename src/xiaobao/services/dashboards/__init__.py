"""Dashboard figures: KPIs, complaint points and their trace, trend, clock compliance — each drilling down to complaints."""
