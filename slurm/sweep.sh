#!/usr/bin/env bash
# Submit a models x programs sweep: one serve_and_evaluate job (or array, with SHARDS=n) per pair.
#
#   MODELS="qwen3_4b gemma3_12b" PROGRAMS="cdm_agent full_info" DATA=data/test.json slurm/sweep.sh [overrides...]
#
# cdmbench composes its config with Hydra's compose API, so Hydra's `-m` multirun is not available; this loop
# is the sweep. Extra arguments are passed to every `cdmbench evaluate`; sbatch flags go in SBATCH_ARGS
# (e.g. SBATCH_ARGS="--partition=gpu --account=lab --time=8:00:00"). DRY_RUN=1 prints the sbatch commands.
# Environment: MODELS, PROGRAMS (default: cdm_agent), SHARDS (1: one job per pair; n > 1: an array of n shards),
# SBATCH (the sbatch command), plus anything the job scripts read (DATA, NUM_THREADS, HEALTH_TIMEOUT, ...).
set -euo pipefail
CDMBENCH_ROOT=${CDMBENCH_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
MODELS=${MODELS:-}
PROGRAMS=${PROGRAMS:-cdm_agent}
SHARDS=${SHARDS:-1}
SBATCH=${SBATCH:-sbatch}
[[ -n "$MODELS" ]] || { echo "set MODELS to vLLM presets (configs/vllm/*.yaml), e.g. MODELS=\"qwen3_4b gemma3_12b\"" >&2; exit 2; }
[[ "$SHARDS" =~ ^[1-9][0-9]*$ ]] || { echo "SHARDS=$SHARDS is not a positive number" >&2; exit 2; }
for model in $MODELS; do
    [[ -f "$CDMBENCH_ROOT/configs/vllm/$model.yaml" ]] || { echo "unknown model $model: no configs/vllm/$model.yaml" >&2; exit 2; }
done
export CDMBENCH_ROOT
for model in $MODELS; do
    for program in $PROGRAMS; do
        if (( SHARDS > 1 )); then
            script="$CDMBENCH_ROOT/slurm/serve_and_evaluate_array.sbatch"
            array=(--array="0-$((SHARDS - 1))")
        else
            script="$CDMBENCH_ROOT/slurm/serve_and_evaluate.sbatch"
            array=()
        fi
        # shellcheck disable=SC2086 # SBATCH and SBATCH_ARGS are lists of words
        command=($SBATCH ${SBATCH_ARGS:-} "${array[@]}" --job-name="cdmbench-$model-$program"
                 --export="ALL,MODEL=$model,PROGRAM=$program,CDMBENCH_ROOT=$CDMBENCH_ROOT" "$script" "$@")
        if [[ -n "${DRY_RUN:-}" ]]; then
            printf '%q ' "${command[@]}"; echo
        else
            "${command[@]}"
        fi
    done
done
