"""Access to the cart and checkout pages: endpoint -> (method, path, expected status per role)."""

MATRIX: dict = {}
