#!/usr/bin/env bash
# Submits a hazflow run as a Slurm job array of SHARDS shards plus a merge job that waits for them.
#
#   SCENARIO=scenarios/liuzhou-2025-plan.toml REPS=800 SHARDS=8 examples/slurm/submit.sh
#
# Optional: SEED, HAZFLOW (path of the binary, default: hazflow on PATH), WORK (shard directory, default
# hazflow-shards), RESULT (merged result, default hazflow-result), PARTITION. Prints the two job ids.
set -euo pipefail
here=$(dirname "$(realpath "$0")")
: "${SCENARIO:?set SCENARIO}" "${REPS:?set REPS}"
SHARDS=${SHARDS:-8}
partition=()
if [ -n "${PARTITION:-}" ]; then partition=(--partition "$PARTITION"); fi
array=$(sbatch --parsable "${partition[@]}" --array="1-$SHARDS" --export=ALL "$here/shards.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable "${partition[@]}" --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --export=ALL "$here/merge.sbatch")
merge=${merge%%;*}
echo "shards: job $array (array 1-$SHARDS); merge: job $merge"
