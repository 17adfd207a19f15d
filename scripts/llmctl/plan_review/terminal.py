"""The review in a terminal (rich): what `make plan` prints after writing the plan."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .review import ACTIONS, Review

_STYLE = {"danger": "bold red", "warn": "yellow", "info": "cyan"}


def _money(value: float | None) -> str:
    return "price unknown" if value is None else f"${value:,.2f}"


def show(review: Review, console: Console) -> None:
    counts = Table(title=review.title, show_header=True)
    for action in ACTIONS:
        counts.add_column(action, justify="right")
    counts.add_row(*(str(review.counts[a]) for a in ACTIONS))
    console.print(counts)
    for flag in review.flags:
        console.print(f"[bold red]flag {flag.id}[/]: {flag.message}")
    if not review.flags:
        console.print("flags: none")
    for note in review.notes + review.iam_notes:
        console.print(f"[{_STYLE.get(note.severity, '')}]{note.title}[/]")
        for detail in note.details:
            console.print(f"    {detail}", markup=False, highlight=False, soft_wrap=True)
    if review.cost:
        table = Table(title=f"instance cost ({review.region or 'region unknown'})")
        for column in ("variant", "", "instance type", "instances", "$/h min", "$/h max", "$/month max"):
            table.add_column(column)
        for row in review.cost:
            for side in ("before", "after"):
                c = row[side]
                if c is None:
                    table.add_row(row["variant"], side, "—", "—", "$0.00", "$0.00", "$0.00")
                    continue
                table.add_row(
                    row["variant"],
                    side,
                    c["instance_type"],
                    f"{c['min_instances']}..{c['max_instances']}",
                    _money(c["hourly_at_min"]),
                    _money(c["hourly_at_max"]),
                    _money(c["monthly_at_max"]),
                )
        console.print(table)
