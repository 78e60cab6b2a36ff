"""Access to the producer portal: endpoint -> (method, path, expected status per role)."""

MATRIX: dict = {}
