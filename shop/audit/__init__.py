"""The audit log: who did what to which object, for the program office to look back on."""
