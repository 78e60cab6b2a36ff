"""Vietnam's provinces, wards and regions (the 2025 two-tier units) and the old provinces."""
