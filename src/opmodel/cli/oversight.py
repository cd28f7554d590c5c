"""``opmodel segment | league | explain | whatif``: the NHS Oversight Framework, reproduced and explained."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from opmodel.cli.common import handle_errors, open_cli_store
from opmodel.cli.output import Format, console, emit_json, emit_rows, err_console
from opmodel.cli.uncertainty import (  # issue 12: likely ranges on league rows
    RANGE_COLUMNS,
    MethodOpt,
    ReplicatesOpt,
    SeedOpt,
    add_ranges,
    table_text,
)
from opmodel.oversight.uncertainty import DEFAULT_REPLICATES, DEFAULT_SEED

__all__ = ["register"]

PeriodOpt = Annotated[str, typer.Option("--period", help="Quarter, e.g. 2025-26-Q3.")]
FrameworkOpt = Annotated[str | None, typer.Option("--framework", help="Policy, e.g. nof-2025-26 (default: the "
                                                  "period's year) or a policy YAML file.")]
GroupOpt = Annotated[str | None, typer.Option("--peer-group", help="acute, mental_health_community, ambulance.")]
FmtOpt = Annotated[Format, typer.Option("--format", help="Output format.")]

# Headline first (issue 20): NHS England's published result where held, else the computed one (provisional);
# the computed result beside it with its agreement.
_HEADLINE = ["headline_source", "headline_segment", "headline_rank", "headline_average"]
_COLUMNS = ["org_code", "org_name", "peer_group", *_HEADLINE, "headline_publication", "result_source",
            "average_score", "metric_count", "unadjusted_segment", "financial_override", "adjusted_segment",
            "final_segment", "rank", "status", "agreement_status", "agreement_reasons"]
#: A table a terminal can show: the headline, then the computed segment, average and rank beside it.
_TABLE = ["org_code", "org_name", *_HEADLINE, "adjusted_segment", "average_score", "rank", "result_source",
          "agreement_status"]
_COMPARE = ["published_average", "published_adjusted_segment", "published_rank", "difference_reason"]
CompareOpt = Annotated[str | None, typer.Option("--compare", help="'published': put NHS England's published "
                                                "average, segment and rank beside the computed ones.")]
PubScoresOpt = Annotated[bool, typer.Option("--use-published-scores", help="Score from NHS England's published "
                                            "figures where held: the published metric score where a pooled "
                                            "population is not all held, and the published per-metric rank to "
                                            "order a peer group's values (labelled published).")]
RegionOpt = Annotated[str | None, typer.Option("--region", help="Show only trusts in this NHS England region on "
                                               "the quarter's last day, e.g. Y56 (all trusts are still scored).")]


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """A JSON row with the headline and agreement as flat columns, for tables and CSV."""
    h, a = row["headline"], row["agreement"]
    rank = None if h["rank"] is None else f"{h['rank']} of {h['rank_of']}" if h["rank_of"] else h["rank"]
    published = h["source"] == "published"
    return {**row, "headline_source": "published" if published else "provisional",
            # the published columns as the league page shows them (issue 23 item 7)
            "published_segment": h["segment"] if published else None,
            "published_rank": h["rank"] if published else None,
            "published_average": h["average"] if published else None,
            "headline_segment": h["segment"], "headline_rank": rank, "headline_average": h["average"],
            "headline_publication": h["publication"], "agreement_status": a["status"],
            "agreement_reasons": "; ".join(x["text"] for x in a["reasons"])}


def _cuts(values: list[float] | None) -> str:
    """Cut-offs as people read them (2.765, not 2.7649999999999997)."""
    return "none" if not values else "[" + ", ".join(f"{v:.3f}".rstrip("0").rstrip(".") for v in values) + "]"


def _warn(warnings: list[str], fmt: Format) -> None:
    for w in warnings:
        err_console.print(f"[yellow]note:[/] {w}", markup=True, highlight=False)


def segment_cmd(period: PeriodOpt, framework: FrameworkOpt = None, peer_group: GroupOpt = None,
                region: RegionOpt = None, compare: CompareOpt = None, use_published_scores: PubScoresOpt = False,
                fmt: FmtOpt = Format.table) -> None:
    """Score and segment every organisation for a quarter from metric values (stored with policy and input hashes).

    Each row headlines NHS England's published result where one is held ("published"), else the computed one
    ("provisional"); beside it the computed result, whether it is computed, provisional (some scoring
    populations or the cut-off pool are incomplete, reasons named) or published (no metric values held), and
    its agreement with the headline.
    """
    from opmodel.oversight import segment

    with open_cli_store() as store:
        run = segment(store, period, framework=framework, peer_group=peer_group, compare=compare,
                      use_published_scores=use_published_scores, region=region)
    rows = [r.as_row() for r in sorted(run.results, key=lambda r: (r.peer_group, r.org_code))]
    if fmt is not Format.json:
        rows = [_flat(r) for r in rows]
    _warn(run.warnings, fmt)
    if fmt is not Format.json:
        cut = run.cutoffs
        err_console.print(f"{run.framework} {run.period}: segments from {cut.source} cut-offs"
                          + (f" {[round(c, 3) for c in cut.values]}" if cut.values else "")
                          + f"; inputs {run.inputs_sha256[:12]}, policy {run.policy_sha256[:12]}", highlight=False)
        err_console.print(f"coverage: {run.coverage_text()}", highlight=False)
        if run.comparison is not None:
            _print_comparison(run.comparison)
    emit_rows(rows, fmt, (_TABLE if fmt is Format.table else _COLUMNS) + (_COMPARE if compare else []))


def _print_comparison(c: dict[str, Any]) -> None:
    err_console.print(f"compared with published: {c['equal']} equal, {c['different']} different of {c['compared']} "
                      f"computed (segments equal {c['segments_equal']}, averages within 0.1 "
                      f"{c['averages_within_0_1']}, ranks equal {c['ranks_equal']}); {c['not_compared']} not "
                      "compared (published results or nothing published)", highlight=False)
    for d in c["largest_differences"][:5]:
        err_console.print(f"  {d['org_code']}: average {d['average']} vs {d['published_average']}, segment "
                          f"{d['segment']} vs {d['published_segment']}: {d['why']}", highlight=False)


def league_cmd(period: PeriodOpt, framework: FrameworkOpt = None, peer_group: GroupOpt = None,
               region: RegionOpt = None, compare: CompareOpt = None, fmt: FmtOpt = Format.table,
               replicates: ReplicatesOpt = DEFAULT_REPLICATES, seed: SeedOpt = DEFAULT_SEED,  # issue 12
               method: MethodOpt = "metric-mix") -> None:
    """League tables per peer group, in NHS England's published order where published (adjusted segment, then
    average score; ties share a rank), else the computed one; the computed rank beside it."""
    from opmodel.oversight import league, segment

    with open_cli_store() as store:
        run = segment(store, period, framework=framework, peer_group=peer_group, save=False, compare=compare,
                      region=region)
        ordered = sorted(league(run, peer_group), key=lambda r: (
            r.peer_group, (h := r.headline) is None or h.rank is None, h.rank if h and h.rank else 0, r.org_code))
        rows = [r.as_row() for r in ordered]
        # issue 12: likely ranges on every call (cached per input hash)
        ranges = add_ranges(store, rows, run, peer_group, replicates=replicates, seed=seed, method=method)
    if fmt is not Format.json:
        rows = [_flat(r) for r in rows]
    _warn(run.warnings, fmt)
    if fmt is not Format.json:
        err_console.print(table_text(ranges), highlight=False)  # issue 12
    if fmt is not Format.json:
        err_console.print(f"coverage: {run.coverage_text()}", highlight=False)
        if run.comparison is not None:
            _print_comparison(run.comparison)
    columns = (["peer_group", *_HEADLINE, "org_code", "org_name", "result_source", "rank", "rank_of",
                "adjusted_segment", "average_score", "financial_override", "final_segment", "agreement_status",
                "headline_publication", "published_segment", "published_rank", "published_average"]
               if fmt is not Format.table else  # a table a terminal can show
               [*_HEADLINE, "org_code", "org_name", "adjusted_segment", "average_score", "rank", "agreement_status"])
    emit_rows(rows, fmt, columns + RANGE_COLUMNS + (_COMPARE if compare else []))  # issue 12: RANGE_COLUMNS


def explain_cmd(org: Annotated[str, typer.Argument(help="ODS code, e.g. RW1.")], period: PeriodOpt,
                framework: FrameworkOpt = None,
                to_segment: Annotated[int | None, typer.Option("--to-segment", min=1, max=4, help="Also give, per "
                                                               "metric, the value that alone would bring it to "
                                                               "this segment (or say it cannot).")] = None,
                fmt: FmtOpt = Format.table) -> None:
    """Why an organisation is in its segment, how far each boundary is, what changed, and what it would take."""
    from opmodel.oversight import explain

    with open_cli_store() as store:
        d = explain(store, org, period, framework=framework, to_segment=to_segment)
    if fmt is Format.json:
        emit_json(d)
        return
    if fmt is Format.csv:
        emit_rows(d["to_segment"]["metrics"] if to_segment is not None else d["metrics"], fmt)
        return
    console.print(f"[bold]{d['org_code']} {d['org_name']}[/]  {d['framework']} {d['period']}")
    h = d.get("headline")
    if h is not None and h["source"] == "published":
        console.print(f"Segment {h['segment']}" + (f", rank {h['rank']} of {h['rank_of']}" if h["rank"] else "")
                      + (f", average {h['average']:.2f}" if h["average"] is not None else "")
                      + f": {h['label']} ({h['publication'] or 'publication not recorded'}).", highlight=False)
        console.print(f"Computed by opmodel beside it ({d['result_source']}): {d['agreement']['text']}.",
                      highlight=False)
    console.print(d["summary"], highlight=False)
    for label, key in (("Pulled the average up (worse) most", "pulled_up_most"),
                       ("Pulled the average down (better) most", "pulled_down_most")):
        if d[key]:
            console.print(f"\n[bold]{label}[/]")
            for p in d[key]:
                console.print(f"  {p['metric']} {p['name']}: score {p['score']} ({p['source']}), "
                              f"pull {p['pull']:+.3f}", highlight=False)
    if d["boundaries"]:
        console.print("\n[bold]Segment boundaries[/]")
        for b in d["boundaries"]:
            console.print(f"  segment {b['segment']}: {b.get('text', 'unknown')}", highlight=False)
    ch: dict[str, Any] = d["change_since_previous"]
    console.print("\n[bold]Since the previous quarter[/]")
    if ch.get("previous_period"):
        console.print(f"  {ch['previous_period']}: segment {ch['segment_before']} -> {ch['segment_after']}, "
                      f"average {ch['average_before']} -> {ch['average_after']}: {ch['reason']}", highlight=False)
    else:
        console.print(f"  {ch['reason']}")
    om = d["operating_model"]
    if om.get("available"):
        console.print(f"\n[bold]Operating model[/] {om['model']} on {om['on']}: performance managed by "
                      f"{om['performance_manager_name'] or '-'} ({om['performance_manager'] or '-'})", highlight=False)
        sup = om.get("support")
        if sup:
            console.print(f"  segment {sup['segment']} ({sup['meaning']}): {sup['support']}; delivered by "
                          f"{sup['delivered_by_name'] or sup['delivered_by_tier'] or '-'}"
                          + (f"; programme {sup['programme']}" if sup.get("programme") else ""), highlight=False)
    else:
        console.print(f"\n[dim]{om.get('note', '')}[/]", highlight=False)
    reach = d.get("to_segment")
    if reach is not None:
        console.print(f"\n[bold]What it would take to reach segment {reach['target_segment']}[/]")
        console.print(f"  {reach['summary']}", highlight=False)
        for m in reach["metrics"]:
            console.print(f"  {m['metric']} {m['name']}: {m['text']}", highlight=False)


def whatif_cmd(period: PeriodOpt,
               settings: Annotated[list[str] | None, typer.Option("--set", help="KEY=VALUE policy change, e.g. "
                                                                  "segmentation.cutoffs.2025-26-Q3=[2.0,2.3,2.7], "
                                                                  "metrics.OF1082.weight=0, drop=OF1086.")] = None,
               values: Annotated[list[str] | None, typer.Option("--value", help="ORG:METRIC=VALUE metric value "
                                                                "change, e.g. RJ1:OF0011=80 (62-day cancer); "
                                                                "null removes it.")] = None,
               framework: FrameworkOpt = None, peer_group: GroupOpt = None, fmt: FmtOpt = Format.table) -> None:
    """Re-run a quarter with changed rules or metric values; list every organisation whose average, segment or
    rank changes (rank-only changes included)."""
    from opmodel.oversight import whatif

    with open_cli_store() as store:
        d = whatif(store, period, settings or [], framework=framework, peer_group=peer_group, values=values or [])
    if fmt is Format.json:
        emit_json(d)
        return
    _warn(d["warnings"], fmt)
    asked = " ".join([*(f"--set {x}" for x in d["settings"]), *(f"--value {x}" for x in d["values"])])
    err_console.print(f"{d['framework']} {d['period']} with {asked}: {len(d['changed'])} of {d['organisations']} "
                      f"organisation(s) change ({d['rank_only']} in rank only); cut-offs "
                      f"{_cuts(d['cutoffs_before'])} -> {_cuts(d['cutoffs_after'])}; computed results (a what-if "
                      "is never published)", highlight=False)
    if d["note"]:
        err_console.print(f"[yellow]note:[/] {d['note']}", markup=True, highlight=False)
    emit_rows(d["changed"], fmt, ["org_code", "org_name", "peer_group", "change", "average_before", "average_after",
                                  "segment_before", "segment_after", "rank_before", "rank_after", "rank_of",
                                  "final_before", "final_after"])


def register(app: typer.Typer) -> None:
    """Add the top-level oversight commands to the root app."""
    app.command("segment")(handle_errors(segment_cmd))
    app.command("league")(handle_errors(league_cmd))
    app.command("explain")(handle_errors(explain_cmd))
    app.command("whatif")(handle_errors(whatif_cmd))
