#!/usr/bin/env bash
# Builds README.md from the sections in .readme/ (each area's owner keeps its own section).
set -euo pipefail
cd "$(dirname "$0")"
order=(00-head.md desktop-app.md window.md cli.md core-i.md core-ii.md 50-architecture.md 60-testing.md simulator.md faults.md performance.md)
{
  for f in "${order[@]}"; do cat "$f"; printf '\n'; done
} > ../README.md
