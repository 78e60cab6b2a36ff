"""Tax by date: VAT categories, the dated reductions of the VAT rate, and the withholding of
tax for household sellers. Rates are never stored on a pack: they follow from its category and
the day an invoice is due (`rates.rate_for`)."""
