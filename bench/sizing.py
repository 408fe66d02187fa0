"""Sizing a course (issue 27): grading hosts, and the load on PostgreSQL and Redis, for a rush before
a deadline, from the measured results (no measuring here; it only reads bench/results/*.json):

- exercise_costs.json (bench/exercise_costs.py): each exercise's grading, one per container as
  the site grades it: wall time and the machine's CPU seconds (container, Docker, grader);
- worker_scaling.json (bench/worker_scaling.py): what a 2-core host grades a minute, 1 and 2 workers;
- queue_rate.json (bench/queue_rate.py): PostgreSQL's and Redis's CPU per submission at a steady
  rate, and the queries and commands of each step;
- queue_cost.json (bench/queue_cost.py): each step's latency on PostgreSQL + Redis.

The assumptions are the constants below, printed with the table. `python bench/sizing.py` prints
Markdown, as pasted in docs/measurements.md ("Sizing a course").
"""

from __future__ import annotations

import json
import math
import statistics
import sys
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
STUDENTS = (2_000, 20_000)
SUBMISSIONS_EACH = 3  # of one exercise, each student
WINDOW_HOURS = 2.0
PEAK = 2.0  # the busiest half hour carries half the window's submissions: twice the average rate
UTILIZATION = 0.8  # of a host's measured throughput planned for: room for noise and slower answers
HOST_CORES = 2  # the kind of host measured
POLL_SECONDS = 0.5  # a student's page asks for the state this often while the submission waits
SWEEP_SECONDS = 2.0  # each worker's sweep round (grader/site/serve.py)


def load(name: str) -> dict | None:
    path = RESULTS / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def main() -> int:
    costs, scaling = load("exercise_costs.json"), load("worker_scaling.json")
    rate, latency = load("queue_rate.json"), load("queue_cost.json")
    if costs is None:
        print("No bench/results/exercise_costs.json: run bench/exercise_costs.py first.")
        return 2
    per_exercise = {slug: {what: (e["solution"][what] + e["starter"][what]) / 2 for what in ("wall", "machine")}
                    for slug, e in costs["exercises"].items()}
    typical_cpu = statistics.mean(e["machine"] for e in per_exercise.values())
    typical_wall = statistics.mean(e["wall"] for e in per_exercise.values())
    heaviest = max(per_exercise, key=lambda s: per_exercise[s]["machine"])
    lightest = min(per_exercise, key=lambda s: per_exercise[s]["machine"])

    print("Sources:")
    print(f"- grading: bench/results/exercise_costs.json, {costs['machine']}, commit {costs['commit']} "
          f"({costs['runs']} runs of each exercise's solution and starter, median; one exercise per container)")
    for name, data in (("worker_scaling", scaling), ("queue_rate", rate), ("queue_cost", latency)):
        if data is not None:
            print(f"- bench/results/{name}.json: {data['machine']}, commit {data['commit']}")
    print()
    print(f"Assumptions: each student submits {SUBMISSIONS_EACH} times, one exercise; all within "
          f"{WINDOW_HOURS:g} hours, the busiest half hour carrying half of them ({PEAK:g}x the average rate); "
          f"hosts like the measured one ({HOST_CORES} cores, one worker of one judge per core), "
          f"{UTILIZATION:.0%} of their measured throughput planned; a student's page polls every "
          f"{POLL_SECONDS:g} s until the grade is in.")
    print()
    print(f"Grading one submission (machine CPU, mean of solution and starter): {typical_cpu:.2f} CPU-s on "
          f"average over the {len(per_exercise)} exercises (wall {typical_wall:.2f} s); lightest {lightest} "
          f"{per_exercise[lightest]['machine']:.2f} CPU-s, heaviest {heaviest} {per_exercise[heaviest]['machine']:.2f}"
          f" CPU-s.")
    if scaling is None or "per_minute_2" not in scaling:
        print("No bench/results/worker_scaling.json with 2 workers: run bench/worker_scaling.py first.")
        return 2
    # A host's capacity, measured: 2 workers on a 2-core host, the site, Docker and the queue
    # included; for another exercise, scaled by its grading CPU against the measured mix's.
    mix_cpu = statistics.mean(costs["exercises"][slug]["solution"]["machine"] for slug in scaling["exercises"])
    measured = scaling["per_minute_2"]
    print(f"A {HOST_CORES}-core host, 2 workers of one judge (worker_scaling.json, {scaling['k']} reference "
          f"solutions of {len(scaling['exercises'])} exercises a round, median of "
          f"{sum(1 for r in scaling['rounds'] if r['workers'] == 2)} rounds): {measured:g} submissions a minute; "
          f"that mix's gradings cost {mix_cpu:.2f} CPU-s each in exercise_costs.json. A host's capacity for an "
          f"exercise is taken as {measured:g}/min x {mix_cpu:.2f} / its CPU-s, planned at {UTILIZATION:.0%}.")
    print()
    print("| students | submissions | average rate | peak rate | hosts (average exercise) | "
          "hosts (heaviest exercise) | gradings in progress at peak |")
    print("|---|---|---|---|---|---|---|")
    peaks, hosts_typical = {}, {}
    for students in STUDENTS:
        total = students * SUBMISSIONS_EACH
        average = total / (WINDOW_HOURS * 3600)
        peak = average * PEAK
        peaks[students] = peak
        hosts = [math.ceil(peak * 60 / (measured * mix_cpu / cpu * UTILIZATION))
                 for cpu in (typical_cpu, per_exercise[heaviest]["machine"])]
        hosts_typical[students] = hosts[0]
        in_progress = math.ceil(peak * typical_wall)  # Little's law: rate x time in the sandbox
        print(f"| {students:,} | {total:,} | {average:.2f}/s | {peak:.2f}/s ({peak * 60:.0f}/min) | "
              f"{hosts[0]} | {hosts[1]} | {in_progress} |")
    print()
    if rate is None:
        return 0
    steps = rate["steps"]
    per_sub = rate["per_submission"]
    queue_queries = per_sub["queries"]  # in the steady run (the one-off steps below count a first call's too)
    queue_commands = per_sub["redis_commands"]
    polls = math.ceil(typical_wall / POLL_SECONDS) + 1  # a grade in hand: the page stops asking
    pg_ms_per_query = per_sub["postgres_cpu_ms"] / per_sub["queries"]
    print(f"The queue's own cost per submission (queue_rate.json, {rate['consumer']['recorded']} submissions at "
          f"{rate['producer']['rate']:g}/s, no grading): {queue_queries:g} queries (submit, claim, record; "
          f"one at a time, each counted once with a first call's: {steps['submit']['queries']}, "
          f"{steps['claim']['queries']}, {steps['record']['queries']}), "
          f"{queue_commands:g} Redis commands; PostgreSQL {per_sub['postgres_cpu_ms']:.2f} ms of CPU, Redis "
          f"{per_sub['redis_cpu_ms']:.2f} ms. A status poll is {steps['status_poll']['queries']} queries; a "
          f"worker's sweep round {steps['sweep_round']['queries']} queries and "
          f"{steps['sweep_round']['redis_commands']} Redis command(s) every {SWEEP_SECONDS:g} s.")
    if latency is not None:
        cluster = latency["postgres_redis"]
        total_ms = sum(cluster[s]["median_ms"] for s in ("store_and_enqueue", "claim", "record"))
        print(f"Latency (queue_cost.json, PostgreSQL + Redis, median): store + enqueue "
              f"{cluster['store_and_enqueue']['median_ms']:g} ms, claim {cluster['claim']['median_ms']:g} ms, "
              f"record {cluster['record']['median_ms']:g} ms: {total_ms:.1f} ms of the queue per submission.")
    print()
    print("| students | peak rate | queries/s: queue | + status polls | + sweeps | PostgreSQL CPU | "
          "Redis commands/s | Redis CPU |")
    print("|---|---|---|---|---|---|---|---|")
    for students, peak in peaks.items():
        workers = hosts_typical[students] * HOST_CORES  # one worker process per core: the most sweeps
        q_queue = peak * queue_queries
        q_polls = peak * polls * steps["status_poll"]["queries"]
        q_sweeps = workers * steps["sweep_round"]["queries"] / SWEEP_SECONDS
        total_q = q_queue + q_polls + q_sweeps
        pg_cores = total_q * pg_ms_per_query / 1000
        redis_cmds = peak * queue_commands + workers * steps["sweep_round"]["redis_commands"] / SWEEP_SECONDS
        redis_ms = peak * per_sub["redis_cpu_ms"]
        print(f"| {students:,} | {peak:.2f}/s | {q_queue:.0f} | {q_polls:.0f} | {q_sweeps:.0f} "
              f"(= {total_q:.0f}) | {pg_cores:.2f} core | {redis_cmds:.0f} | {redis_ms:.1f} ms/s |")
    print()
    print(f"Status polls: {polls} per submission (the average grading's {typical_wall:.2f} s at one every "
          f"{POLL_SECONDS:g} s, and the last). PostgreSQL's CPU for polls and sweeps is estimated at the queue "
          f"steps' measured {pg_ms_per_query:.3f} ms of server CPU per query; the queue steps' own was measured "
          f"at {rate['producer']['rate']:g}/s ({rate['per_second']['postgres_cores']:.2f} core then).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
