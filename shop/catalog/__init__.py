"""Producers, products, variants and their OCOP certificates."""
