"""The review as a pull-request comment: a summary table first, details in <details> blocks, under GitHub's
65,536-character comment limit (the change list is cut first, and the cut says so)."""

from __future__ import annotations

from typing import Any

from .findings import FLAGS
from .review import ACTIONS, Review

COMMENT_LIMIT = 65_536
MARKER = "<!-- llmctl plan-review -->"  # lets the workflow find and update its own comment


def _money(value: float | None, per: str = "h") -> str:
    return "price unknown" if value is None else f"${value:,.2f}/{per}"


def _cost_lines(review: Review) -> list[str]:
    if not review.cost:
        return []
    lines = [
        "",
        f"**Cost** ({review.region or 'region unknown'}, instances only)",
        "",
        "| variant | | instance type | instances | $/hour at min | $/hour at max | $/month at min | $/month at max |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in review.cost:
        for side in ("before", "after"):
            c: dict[str, Any] | None = row[side]
            if c is None:
                lines.append(f"| {row['variant']} | {side} | — | — | $0.00/h | $0.00/h | $0.00/mo | $0.00/mo |")
                continue
            lines.append(
                f"| {row['variant']} | {side} | `{c['instance_type']}` | {c['min_instances']}..{c['max_instances']} | "
                f"{_money(c['hourly_at_min'])} | {_money(c['hourly_at_max'])} | {_money(c['monthly_at_min'], 'mo')} | "
                f"{_money(c['monthly_at_max'], 'mo')} |"
            )
    return lines


def _details(summary: str, lines: list[str]) -> list[str]:
    return ["", f"<details><summary>{summary}</summary>", "", *lines, "", "</details>"]


def _change_rows(review: Review) -> list[str]:
    rows = ["| resource | action | forced by |", "|---|---|---|"]
    for c in review.changes:
        if c.action != "no-op":
            rows.append(f"| `{c.address}` | {c.action} | {', '.join(f'`{p}`' for p in c.replace_paths) or ''} |")
    return rows


def render(review: Review, limit: int = COMMENT_LIMIT) -> str:
    head = [
        MARKER,
        f"### {review.title}",
        "",
        "| " + " | ".join(ACTIONS) + " |",
        "|" + "---|" * len(ACTIONS),
        "| " + " | ".join(str(review.counts[a]) for a in ACTIONS) + " |",
        "",
    ]
    if review.flags:
        head += ["**Flags**", ""] + [f"- **{f.id}**: {f.message}" for f in review.flags]
    else:
        head.append("**Flags**: none")
    head += _cost_lines(review)
    body: list[str] = []
    for summary, notes, quote in (
        ("SageMaker", review.notes, ""),
        ("IAM statements added and removed", review.iam_notes, "`"),
    ):
        lines = [line for n in notes for line in (f"- **{n.title}**", *(f"  - {quote}{d}{quote}" for d in n.details))]
        if lines:
            body += _details(summary, lines)
    rules = [f"- `{flag}`: {text}" for flag, text in FLAGS.items()]
    tail = _details("Flag rules and price source", [*rules, "", review.price_source])
    changes = _change_rows(review)
    text = "\n".join(head + body + _details(f"All changes ({len(changes) - 2})", changes) + tail) + "\n"
    if len(text) <= limit:
        return text
    # Too long for one comment: keep the summary, cut the change list (then the details) and say what was cut.
    fixed = "\n".join(head + tail)
    kept: list[str] = changes[:2]
    budget = limit - len(fixed) - len("\n".join(body)) - 400
    for row in changes[2:]:
        if budget - len(row) - 1 < 0:
            break
        kept.append(row)
        budget -= len(row) + 1
    if budget < 0:
        body = ["", "_SageMaker and IAM details cut: too long for one comment; see the plan artifact._"]
        kept = changes[:2]
    cut = len(changes) - len(kept)
    cut_note = (
        f"_{cut} of {len(changes) - 2} changes not shown: a GitHub comment holds {limit:,} characters; "
        "see the plan artifact._"
    )
    section = _details(f"All changes ({len(changes) - 2}, {cut} not shown)", [*kept, "", cut_note])
    return "\n".join(head + body + section + tail) + "\n"
