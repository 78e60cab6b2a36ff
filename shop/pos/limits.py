"""The bounds of what a till may send, in one place (docs/API.md, "POS devices", names each).

Each keeps a slip of a finger, a wrong clock or a forged request out of the ledger and inside
what the database stores: the largest sale, 200 lines at the largest price and quantity, is
2 * 10**17 before its total is bounded, well inside a 64-bit integer, and the bound on the
total keeps the sums of a year's sales inside one too.
"""

from datetime import datetime, timedelta

from shop.clock import VIETNAM

MAX_BATCH = 1_000                    # sales in one sync
MAX_LINES = 200                      # lines in one sale
MAX_COUNT_LINES = 10_000             # lines in one count (each SKU once)
MAX_QUANTITY = 100_000               # units on a line; counted or received of one SKU
MAX_PRICE_VND = 10_000_000_000       # one unit: the catalog's own bound on a price
MAX_SALE_TOTAL_VND = 100_000_000_000  # one sale
MAX_SKU_LENGTH = 64                  # Variant.sku; a SKU is letters, digits, '.', '_', '-'

# A till's clock may be this far ahead of the shop's, or behind it when its token was made.
CLOCK_SKEW = timedelta(minutes=10)
# No sales point sold certified OCOP goods before the programme (Decision 490/QĐ-TTg of
# 7 May 2018): the earliest time a sale or a count may bear, with or without a device.
EARLIEST = datetime(2018, 1, 1, tzinfo=VIETNAM)
