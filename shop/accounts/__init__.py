"""Users and their memberships: producer members, sales-point staff, the program office."""
