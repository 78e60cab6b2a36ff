"""The program in figures: aggregated counts and sales, with no personal data."""
