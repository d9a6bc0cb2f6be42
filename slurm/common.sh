# shellcheck shell=bash
# Shared helpers of the cdmbench SLURM jobs (sourced, not run): settings from the environment, the cdmbench
# command, and the overrides that make cdmbench start vLLM itself on this node (lm.launch=true: a free loopback
# port, the preset's settings, a wait for /health, and a stop on every exit, kill -9 and scancel included).
#
# Environment (all optional):
#   CDMBENCH_ROOT   the cdmbench checkout (default: the directory sbatch was called from)
#   MODEL           vLLM preset, configs/vllm/<MODEL>.yaml (default qwen3_4b)
#   HEALTH_TIMEOUT  seconds to wait until vLLM serves the model (default 1800: large models load slowly)
#   VLLM_ARGS       extra `vllm serve` arguments, e.g. "--max-num-seqs 64" (they win over the preset's)
#   CDMBENCH        the cdmbench command (default: $CDMBENCH_ROOT/.venv/bin/cdmbench, else cdmbench on PATH;
#                   e.g. CDMBENCH="uv run cdmbench"). vLLM is the one beside cdmbench's Python, else on PATH.

CDMBENCH_ROOT=${CDMBENCH_ROOT:-${SLURM_SUBMIT_DIR:-$PWD}}
MODEL=${MODEL:-qwen3_4b}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-1800}

log() { printf '%s [cdmbench-slurm] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

resolve_commands() {
    local config="configs/vllm/$MODEL.yaml"
    [[ -f "$CDMBENCH_ROOT/$config" ]] || die "no vLLM preset $config in CDMBENCH_ROOT=$CDMBENCH_ROOT; set MODEL to one of: $(cd "$CDMBENCH_ROOT/configs/vllm" 2>/dev/null && ls -- *.yaml 2>/dev/null | sed 's/\.yaml$//' | tr '\n' ' ')"
    if [[ -z "${CDMBENCH:-}" ]]; then
        if [[ -x "$CDMBENCH_ROOT/.venv/bin/cdmbench" ]]; then CDMBENCH="$CDMBENCH_ROOT/.venv/bin/cdmbench"
        elif command -v cdmbench >/dev/null 2>&1; then CDMBENCH=cdmbench
        else die "cdmbench not found: run 'uv sync' in CDMBENCH_ROOT=$CDMBENCH_ROOT or set CDMBENCH"
        fi
    fi
}

# The overrides that have cdmbench start vLLM with the preset (into the array LAUNCH).
launch_overrides() {
    local words=() quoted=() word
    # shellcheck disable=SC2206 # VLLM_ARGS is a list of words
    words=(${VLLM_ARGS:-})
    for word in "${words[@]}"; do quoted+=("'${word//\'/}'"); done
    local joined
    joined=$(IFS=,; echo "${quoted[*]}")
    LAUNCH=(lm=vllm lm.preset="$MODEL" lm.launch=true lm.startup_timeout_s="$HEALTH_TIMEOUT" "lm.launch_args=[$joined]")
}
