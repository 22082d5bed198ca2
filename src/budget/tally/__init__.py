"""The tally engine: pure, exact allocation rules over plain ballots (standard library only)."""
