"""Use cases: one function per action, one transaction each, its audit entry inside."""
