"""Matching quality: the back-test (domain/evaluation.back_test) on generated 990 giving.

    python3 benchmarks/bench_backtest.py [--funders 300] [--recipients 2000] [--sample 400] [--seed 13]

Data (tests/datagen/giving_gen.py, deterministic for a seed): 2,000 recipient charities, each with
an NTEE code in one of 12 fields and one of 10 states; 300 private foundations with a home state,
one or two fields, and a long-tailed size (a few large national givers, many small local ones);
four years (2021-2024) of grants where each grant goes 60% to the funder's fields in its home
state, 25% to its fields anywhere, 15% to anyone, and half of the grants after the first year
renew a past grantee.

Measured: hide the latest year; for an even spread of `--sample` recipients of that year, build
a profile from the recipient's own record (its NTEE code, state, revenue), score every funder
with the evidence of the other years (and the recipient's own past gifts), and compare with the
baseline "largest givers first" (dollars given in the other years). recall@K = share of the
funders that really gave in the hidden year found in the top K; MRR = mean of 1 / rank of the
first of them. Budget (ARCHITECTURE.md): recall@20 >= 2x the baseline's.

Writes benchmarks/results/matching.md.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from catalynx_desktop.domain.evaluation import back_test
from tests.datagen.giving_gen import generate

BUDGET = 2.0  # recall@20 of the ranking vs the baseline's


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--funders", type=int, default=300)
    parser.add_argument("--recipients", type=int, default=2000)
    parser.add_argument("--sample", type=int, default=400, help="recipients back-tested (an even spread)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    grants, orgs = generate(args.seed, args.funders, args.recipients)
    start = time.perf_counter()
    result = back_test(grants, orgs, max_recipients=args.sample)
    elapsed = time.perf_counter() - start
    ratio = (
        result.matcher.recall[20] / result.baseline.recall[20] if result.baseline.recall[20] else float("inf")
    )
    rows = [
        ("matching (FunderMatcher)", result.matcher),
        ("baseline: largest givers first", result.baseline),
    ]
    lines = [
        "# Matching back-test",
        "",
        f"- machine: {platform.platform()}, Python {platform.python_version()}",
        f"- generated giving (tests/datagen/giving_gen.py, seed {args.seed}): {args.funders:,} private foundations, "
        f"{args.recipients:,} recipients, {len(grants):,} grants over 2021-2024; giving follows field and state "
        "(60% to the funder's fields in its home state, 25% its fields anywhere, 15% anyone; half of later "
        "grants renew a past grantee)",
        f"- {result.lines()[0]}; {elapsed:.1f} s",
        "",
        "| ranking | recall@20 | recall@100 | mean reciprocal rank |",
        "| --- | --- | --- | --- |",
        *(f"| {name} | {r.recall[20]:.3f} | {r.recall[100]:.3f} | {r.mrr:.3f} |" for name, r in rows),
        "",
        f"recall@20: **{ratio:.2f}x** the baseline (budget >= {BUDGET:.0f}x: "
        f"{'met' if ratio >= BUDGET else 'NOT met'}).",
        "",
        "On your own imports: `catalynx-desktop evaluate-matching [--year Y] [--json]` runs the same "
        "back-test over the stored 990 grants and BMF records.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        out = Path(__file__).resolve().parent / "results" / "matching.md"
        out.write_text(text, encoding="utf-8")
        print(f"written to {out}")


if __name__ == "__main__":
    main()
