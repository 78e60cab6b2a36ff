"""Invoices of the producers who sell, their numbering, PDF rendering and monthly statements."""
