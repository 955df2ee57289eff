"""Print the benchmark figures as a table, with the ratios against the baselines."""

from __future__ import annotations

import json
from pathlib import Path
import sys

RESULTS = Path(__file__).resolve().parent.parent / "bench-results"


def _load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def main() -> int:
    """Print what bench-results holds; fail if a figure misses its target."""
    missed: list[str] = []
    if push := _load("push_latency"):
        s, b = push["state_change_ms"], push["bare_automation_ms"]
        print(
            f"push latency (POST -> state), {s['n']} calls: p50 {s['p50']} ms, p99 {s['p99']} ms,"
            f" max {s['max']} ms; bare automation p50 {b['p50']} ms, p99 {b['p99']} ms"
            f" (ratio p50 {push['p50_ratio']}, p99 {push['p99_ratio']})"
        )
        c = push["back_to_back_start_ms"]
        print(
            f"back-to-back start (POST -> state, API checked): p50 {c['p50']} ms, p99 {c['p99']} ms"
        )
        if push["p50_ratio"] > 1.0:
            missed.append("push p50 slower than the bare automation")
        if s["p99"] >= 20:
            missed.append("push p99 of 20 ms or more")
    ours, fixed = _load("polling_adaptive"), _load("polling_fixed_30s")
    if ours and fixed:
        print(f"polling on {ours['events_file']}: adaptive vs fixed 30 s")
        for label, key in (("calls per hour", "calls_per_hour"),):
            print(f"  {label}: {ours[key]} vs {fixed[key]} (ratio {ours[key] / fixed[key]:.2f})")
        for label, key in (
            ("start detection", "start_detection_s"),
            ("end detection", "end_detection_s"),
        ):
            a, b = ours[key], fixed[key]
            print(
                f"  {label} p50/p95/max s: {a['p50']}/{a['p95']}/{a['max']} vs {b['p50']}/{b['p95']}/{b['max']}"
                f" (p95 ratio {a['p95'] / b['p95']:.2f})"
                if b["p95"]
                else ""
            )
        print(
            f"  aligned starts within 15 s: {ours['aligned_within_15s']} vs {fixed['aligned_within_15s']}"
        )
        if ours["calls_per_hour"] > 75:
            missed.append("more than 75 calls per hour")
    if cost := _load("cost"):
        print(
            f"cost of one entry: start {cost['with_entry_start_s']} s vs empty {cost['empty_start_s']} s"
            f" (ratio {cost['start_ratio']}), RSS {cost['with_entry_rss_mb']} MB vs {cost['empty_rss_mb']} MB"
            f" (ratio {cost['rss_ratio']})"
        )
    if saving := _load("saving"):
        print(
            f"saving per Equivent: a meter reading {saving['reading_us']} us, a baseline"
            f" {saving['baseline_us_p50']} us (p50; {saving['baseline_share_of_refresh']} of the"
            f" minute between refreshes), storage after {saving['days']} days"
            f" {saving['storage_bytes']} bytes ({saving['ledger_slots']} half-hours,"
            f" {saving['equivents']} Equivents)"
        )
    missed += _tado()
    for line in missed:
        print(f"TARGET MISSED: {line}")
    return 1 if missed else 0


def _tado() -> list[str]:
    """Print Tado's requests per Equivent against the retired blueprint; return targets missed."""
    missed: list[str] = []
    targets = {"two_on_schedule": 36, "schedule_and_manual": 54}
    for household in ("two_on_schedule", "schedule_and_manual", "twelve_on_schedule"):
        if (ours := _load(f"tado_{household}")) is None:
            continue
        line = (
            f"Tado requests per Equivent, {household.replace('_', ' ')} ({ours['zones']} zones):"
            f" {ours['per_equivent']} (start {ours['start']['requests']}, end"
            f" {ours['end']['requests']}; writes {ours['start']['writes']} + {ours['end']['writes']},"
            f" full refreshes {ours['start']['full_refreshes']} + {ours['end']['full_refreshes']})"
        )
        if (blueprint := _load(f"tado_blueprint_{household}")) is not None:
            ratio = ours["per_equivent"] / blueprint["per_equivent"]
            line += f"; retired blueprint {blueprint['per_equivent']} (ratio {ratio:.2f})"
        print(line)
        if (target := targets.get(household)) is not None and ours["per_equivent"] > target:
            missed.append(f"more than {target} Tado requests per Equivent ({household})")
        if household == "two_on_schedule" and ours["end"]["requests"]:
            missed.append("Tado requests at the end for zones on their schedule")
    return missed


if __name__ == "__main__":
    sys.exit(main())
