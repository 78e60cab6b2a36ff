"""Access to the sales-point portal: endpoint -> (method, path, expected status per role)."""

MATRIX: dict = {}
