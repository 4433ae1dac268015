"""`make bench`: every benchmark, each printing its figures and targets; exit 1 if one misses."""

from __future__ import annotations

import sys

from bench import intake, reminders, search, startup


def main() -> int:
    results = []
    for benchmark in (startup, search, intake, reminders):
        print(f"== {benchmark.__name__}")
        sys.argv = sys.argv[:1]
        results.append(benchmark.main())
        print()
    return max(results)


if __name__ == "__main__":
    sys.exit(main())
