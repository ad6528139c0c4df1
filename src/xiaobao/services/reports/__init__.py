"""Statistical reports: the monthly JR/T 0169 statistics and the annual public complaint report as XLSX."""
