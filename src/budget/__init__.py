"""budget: participatory budgeting, from a resident's idea to a certified, re-countable result."""

__version__ = "0.1.0"
