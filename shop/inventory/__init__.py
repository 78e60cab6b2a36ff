"""Locations (producer warehouses and sales points) and the stock held there."""
