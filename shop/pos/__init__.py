"""Sales at the OCOP sales points' counters: devices, sales and their idempotent sync."""
