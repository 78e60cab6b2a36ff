"""Carts, orders, per-producer shipments, order events and the rules of their statuses."""
