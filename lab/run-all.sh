#!/bin/bash
# Run every scenario (or the ones given as arguments) and analyse each dump, one QEMU at a time.
# A scenario whose guest did not panic or dump in time is retried once (the irq-off variants are
# detected by the RCU stall detector, which occasionally never reports the stall).
LAB=$(cd "$(dirname "$0")" && pwd)
. "$LAB/scenarios.sh"
SCEN=${*:-$LAB_SCENARIOS}
for s in $SCEN; do
  "$LAB/run-scenario.sh" "$s" || "$LAB/run-scenario.sh" "$s" || { echo "[$s] FAILED twice"; continue; }
  case "$s" in
  big-*) "$LAB/big.sh" "$s" ;;
  *) "$LAB/analyze.sh" "$s" && "$LAB/formats.sh" "$s" ;;
  esac
done
"$LAB/summarize.sh" > /dev/null
