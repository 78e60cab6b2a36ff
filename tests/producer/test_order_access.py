"""Access to the order fulfilment pages: endpoint -> (method, path, expected status per role)."""

MATRIX: dict = {}
