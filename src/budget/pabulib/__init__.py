"""Pabulib .pb files <-> tally.Election: exact decimals, errors that name the line.

The format (Faliszewski et al., IJCAI 2023; `pb_file_format.md` of Pabulib): three sections in
this order, each opened by a line holding only its name, read with csv semantics (`;` between
fields, double quotes around fields that need them; BOM and CRLF accepted):

    META      `key;value` rows after a `key;value` header (extra `;`-separated parts are joined
              back into the value)
    PROJECTS  a header naming the columns (`project_id` and `cost` required), one row a project
    VOTES     a header (`voter_id` and `vote` required), one row a voter; `vote` lists project
              ids separated by `,`; `points` runs alongside for cumulative and scoring ballots

Fields are stripped of surrounding whitespace and blank lines skipped. The sections are kept as
text (`PabulibFile.meta`, `.projects`, `.votes`), so `write` gives them back unchanged.

Money: the budget and the costs may carry decimals ("1250.50"). With d the most decimals any of
them writes, every amount is read exactly as an integer of 10**-d currency units
(`PabulibFile.scale` = 10**d); `export` writes amounts back with the same d decimals.

Our platform's META keys, read by `PabulibFile.options`: `tie_break` (a chain as
`TieBreak.parse` reads it), `lottery_seed` (hexadecimal), `exclusion_sets` (`1,2;3,4`: sets
separated by `;`, project ids within a set by `,`), `mes_satisfaction` (`cost` or
`cardinality`), `add1_step` (currency units, decimals allowed; default one unit),
`threshold_pct` and `reserve_pct` (percentages, decimals allowed). `plan` (budget.pabulib.planning)
resolves a file's rule and options for every caller: the CLI, conformance and the platform.

Checks that real files break (a project named twice in one ballot: 22 ballots in 19 corpus files;
a points sum under `min_sum_points`: 4 files) give warnings unless `strict=True`; a repeated
project counts once (for points ballots its points add up). Any other inconsistency is an error.
"""

from __future__ import annotations

from budget.pabulib import recount
from budget.pabulib.model import PabulibFile, Table
from budget.pabulib.planning import CountPlan, plan, read_options
from budget.pabulib.reader import read, read_path
from budget.pabulib.syntax import SECTIONS, PabulibError
from budget.pabulib.writer import canonical, export, write

__all__ = [
    "SECTIONS",
    "CountPlan",
    "PabulibError",
    "PabulibFile",
    "Table",
    "canonical",
    "export",
    "plan",
    "read",
    "read_options",
    "read_path",
    "recount",
    "write",
]
