"""Payments: cash on delivery, VietQR bank transfers and cards through Stripe."""
