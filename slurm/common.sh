# shellcheck shell=bash
# Shared helpers of the cdmbench SLURM jobs (sourced, not run): settings from the environment, a vLLM server
# on this node started from configs/vllm/<MODEL>.yaml, a health wait with a timeout, and a stop on any exit.
#
# Environment (all optional):
#   CDMBENCH_ROOT   the cdmbench checkout (default: the directory sbatch was called from)
#   MODEL           vLLM preset, configs/vllm/<MODEL>.yaml (default qwen3_4b)
#   PORT            vLLM port on this node (default: 20000 + job id mod 20000, so array tasks sharing a node differ)
#   HEALTH_TIMEOUT  seconds to wait for vLLM's /health (default 1800: large models load slowly)
#   VLLM            the vllm command (default: vllm on PATH, else $CDMBENCH_ROOT/.venv/bin/vllm)
#   VLLM_ARGS       extra `vllm serve` arguments, e.g. "--max-num-seqs 64"
#   CDMBENCH        the cdmbench command (default: $CDMBENCH_ROOT/.venv/bin/cdmbench, else cdmbench on PATH;
#                   e.g. CDMBENCH="uv run cdmbench")
#   LOG_DIR         where the vLLM log goes (default $CDMBENCH_ROOT/outputs/logs)

CDMBENCH_ROOT=${CDMBENCH_ROOT:-${SLURM_SUBMIT_DIR:-$PWD}}
MODEL=${MODEL:-qwen3_4b}
JOB_ID=${SLURM_JOB_ID:-$$}
PORT=${PORT:-$((20000 + JOB_ID % 20000))}
HEALTH_TIMEOUT=${HEALTH_TIMEOUT:-1800}
LOG_DIR=${LOG_DIR:-$CDMBENCH_ROOT/outputs/logs}
VLLM_PID=""

log() { printf '%s [cdmbench-slurm] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

resolve_commands() {
    if [[ -z "${VLLM:-}" ]]; then
        if command -v vllm >/dev/null 2>&1; then VLLM=vllm
        elif [[ -x "$CDMBENCH_ROOT/.venv/bin/vllm" ]]; then VLLM="$CDMBENCH_ROOT/.venv/bin/vllm"
        else die "vllm not found: install it (uv sync --extra vllm), load its module, or set VLLM=/path/to/vllm"
        fi
    fi
    if [[ -z "${CDMBENCH:-}" ]]; then
        if [[ -x "$CDMBENCH_ROOT/.venv/bin/cdmbench" ]]; then CDMBENCH="$CDMBENCH_ROOT/.venv/bin/cdmbench"
        elif command -v cdmbench >/dev/null 2>&1; then CDMBENCH=cdmbench
        else die "cdmbench not found: run 'uv sync' in CDMBENCH_ROOT=$CDMBENCH_ROOT or set CDMBENCH"
        fi
    fi
}

# Stop vLLM (its whole process group: vLLM forks engine workers); safe to call when it never started.
stop_vllm() {
    local status=$?
    if [[ -n "$VLLM_PID" ]] && kill -0 "$VLLM_PID" 2>/dev/null; then
        log "stopping vLLM (pid $VLLM_PID)"
        kill -TERM -- "-$VLLM_PID" 2>/dev/null || kill -TERM "$VLLM_PID" 2>/dev/null || true
        for _ in $(seq 1 30); do
            kill -0 "$VLLM_PID" 2>/dev/null || break
            sleep 1
        done
        kill -KILL -- "-$VLLM_PID" 2>/dev/null || kill -KILL "$VLLM_PID" 2>/dev/null || true
        wait "$VLLM_PID" 2>/dev/null || true
    fi
    VLLM_PID=""
    return "$status"
}

# Set the trap BEFORE starting the server: any exit (error, time limit, scancel) stops it.
install_trap() {
    trap stop_vllm EXIT
    trap 'log "received a signal; stopping"; exit 143' TERM INT HUP
}

start_vllm() {
    local config="configs/vllm/$MODEL.yaml"
    [[ -f "$CDMBENCH_ROOT/$config" ]] || die "no vLLM preset $config in CDMBENCH_ROOT=$CDMBENCH_ROOT; set MODEL to one of: $(cd "$CDMBENCH_ROOT/configs/vllm" 2>/dev/null && ls -- *.yaml 2>/dev/null | sed 's/\.yaml$//' | tr '\n' ' ')"
    mkdir -p "$LOG_DIR" || die "cannot create LOG_DIR=$LOG_DIR"
    VLLM_LOG="$LOG_DIR/vllm-$MODEL-$JOB_ID.log"
    log "starting vLLM: $VLLM serve --config $config --host 127.0.0.1 --port $PORT ${VLLM_ARGS:-} (log: $VLLM_LOG)"
    # shellcheck disable=SC2086 # VLLM_ARGS is a list of words
    (cd "$CDMBENCH_ROOT" && exec setsid $VLLM serve --config "$config" --host 127.0.0.1 --port "$PORT" ${VLLM_ARGS:-}) \
        >"$VLLM_LOG" 2>&1 &
    VLLM_PID=$!
}

_healthy() {
    if command -v curl >/dev/null 2>&1; then
        curl --silent --fail --max-time 5 "http://127.0.0.1:$PORT/health" >/dev/null 2>&1
    else
        python3 -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=5)" \
            "http://127.0.0.1:$PORT/health" >/dev/null 2>&1
    fi
}

wait_for_health() {
    local start=$SECONDS
    while ! _healthy; do
        if ! kill -0 "$VLLM_PID" 2>/dev/null; then
            VLLM_PID=""
            die "vLLM exited before it became healthy; see its log $VLLM_LOG (last lines: $(tail -n 5 "$VLLM_LOG" 2>/dev/null | tr '\n' ' '))"
        fi
        if (( SECONDS - start >= HEALTH_TIMEOUT )); then
            die "vLLM did not answer http://127.0.0.1:$PORT/health within HEALTH_TIMEOUT=${HEALTH_TIMEOUT}s; see $VLLM_LOG (raise HEALTH_TIMEOUT for large models, or check the GPU and the preset)"
        fi
        sleep "${HEALTH_POLL:-5}"
    done
    log "vLLM is healthy on port $PORT after $((SECONDS - start))s"
}
