#!/usr/bin/env bash
# Container smoke test: builds the image, runs it, and checks health, GET /api/users, the drift check against
# the running container (when Sequence's documents are beside the checkout), a clean stop on SIGTERM and the
# client report in the logs.
# Usage: npm run test:container   (uses docker when `docker info` works, else podman)
set -euo pipefail
cd "$(dirname "$0")/.."

image=sequence-mock:test
health_timeout=60    # seconds for a container to become healthy
stop_limit_ms=2000   # from SIGTERM to exit
passed=0
failed=0
containers=()

pass() { echo "PASS: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*"; failed=$((failed + 1)); }
now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
summary() { echo "container: $passed passed, $failed failed"; }

# podman-docker's `docker` is podman: treat it as podman, which needs --format docker below.
if docker info >/dev/null 2>&1 && ! docker --version 2>/dev/null | grep -qi podman; then
  engine=docker
elif command -v podman >/dev/null 2>&1 && podman info >/dev/null 2>&1; then
  engine=podman
else
  echo "FAIL: no container engine: 'docker info' and 'podman info' both fail" >&2
  exit 1
fi

build_log=$(mktemp)
cleanup() {
  for name in "${containers[@]}"; do
    "$engine" kill "$name" >/dev/null 2>&1 || true
    "$engine" rm -f "$name" >/dev/null 2>&1 || true
  done
  rm -f "$build_log"
}
trap cleanup EXIT

free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close() })'
}

show_logs() {
  echo "  --- logs of $1 ---"
  "$engine" logs "$1" 2>&1 | tail -n 40 | sed 's/^/  | /'
}

# Runs a container of the image detached; the rest of the arguments go to `run`.
start_container() {
  local name=$1 output
  shift
  containers+=("$name")
  # Output only on failure: without systemd, podman warns on every run that it cannot schedule health checks.
  if ! output=$("$engine" run -d --name "$name" "$@" "$image" 2>&1); then
    fail "$name does not start:"
    echo "$output" | sed 's/^/  | /'
    summary
    exit 1
  fi
}

wait_healthy() {
  local name=$1 deadline=$((SECONDS + health_timeout))
  while ((SECONDS < deadline)); do
    if [ "$engine" = docker ]; then
      [ "$(docker inspect -f '{{.State.Health.Status}}' "$name")" = healthy ] && return 0
    else
      # Podman without systemd has no timer for health checks: run the image's HEALTHCHECK ourselves.
      podman healthcheck run "$name" >/dev/null 2>&1 && return 0
    fi
    [ "$("$engine" inspect -f '{{.State.Running}}' "$name")" = true ] || return 1
    sleep 1
  done
  return 1
}

check_healthy() {
  local name=$1 start=$SECONDS
  if wait_healthy "$name"; then
    pass "$name is healthy after $((SECONDS - start)) s"
  else
    fail "$name not healthy within $health_timeout s (state: $("$engine" inspect -f '{{.State.Status}}' "$name"))"
    show_logs "$name"
  fi
}

# GET /api/users with the default credentials (key:secret); expects 200, items and the given total.
check_users() {
  local name=$1 port=$2 expected_total=$3 status items total
  read -r status items total < <(node --input-type=module -e '
    try {
      const response = await fetch(`http://127.0.0.1:${process.argv[1]}/api/users`, {
        headers: { authorization: "Basic a2V5OnNlY3JldA==" }, signal: AbortSignal.timeout(5000)
      })
      const body = await response.json().catch(() => ({}))
      console.log(response.status, Array.isArray(body.items) ? body.items.length : "none", body.pagination?.totalResultSize ?? "none")
    } catch (error) {
      console.log("unreachable", "none", "none")
    }' "$port")
  if [ "$status" = 200 ] && [ "$items" != none ] && [ "$items" -gt 0 ] && [ "$total" = "$expected_total" ]; then
    pass "$name GET /api/users: 200, $items items, totalResultSize $total"
  else
    fail "$name GET /api/users: status $status, items $items, totalResultSize $total (expected 200, items, $expected_total)"
    show_logs "$name"
  fi
}

# When the engine saw the container exit, in ms since the epoch.
finished_ms() {
  if [ "$engine" = podman ]; then
    podman inspect -f '{{.State.FinishedAt.UnixMilli}}' "$1"
  else
    node -p 'Date.parse(process.argv[1])' "$(docker inspect -f '{{.State.FinishedAt}}' "$1")"
  fi
}

check_stop() {
  local name=$1 sent waited took status code
  sent=$(now_ms)
  if ! "$engine" kill --signal TERM "$name" >/dev/null 2>&1; then
    fail "$name was not running to get SIGTERM (state: $("$engine" inspect -f '{{.State.Status}}' "$name"))"
    return
  fi
  timeout 10 "$engine" wait "$name" >/dev/null 2>&1 || true
  waited=$(($(now_ms) - sent))
  read -r status code < <("$engine" inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$name")
  if [ "$status" != exited ]; then
    fail "$name still $status $waited ms after SIGTERM"
    show_logs "$name"
    return
  fi
  if [ "$code" = 0 ]; then
    pass "$name exits with code 0 on SIGTERM"
  else
    fail "$name exits with code $code on SIGTERM, expected 0"
    show_logs "$name"
  fi
  # Timed by the engine's exit record: the engine's own CLI can take a second to notice under load.
  took=$(($(finished_ms "$name") - sent))
  if ((took <= stop_limit_ms)); then
    pass "$name stopped $took ms after SIGTERM (limit $stop_limit_ms ms; kill + wait took $waited ms)"
  else
    fail "$name took $took ms to stop after SIGTERM (limit $stop_limit_ms ms)"
  fi
}

echo "engine: $engine"

build_args=()
[ "$engine" = podman ] && build_args=(--format docker)   # OCI format would drop HEALTHCHECK
start=$SECONDS
if "$engine" build "${build_args[@]}" -t "$image" . >"$build_log" 2>&1; then
  pass "image $image builds ($((SECONDS - start)) s)"
else
  fail "image $image does not build"
  tail -n 40 "$build_log" | sed 's/^/  | /'
  summary
  exit 1
fi

healthcheck=$("$engine" image inspect -f '{{json .Config.Healthcheck.Test}}' "$image")
if [ "$healthcheck" = '["CMD","node","dist/healthcheck.js"]' ]; then
  pass "image declares HEALTHCHECK $healthcheck"
else
  fail "image HEALTHCHECK is $healthcheck, expected [\"CMD\",\"node\",\"dist/healthcheck.js\"]"
fi
user=$("$engine" image inspect -f '{{.Config.User}}' "$image")
if [ "$user" = node ]; then pass "image runs as user node"; else fail "image runs as user '$user', expected node"; fi

# `npm run conformance -- --url`: the image itself against Sequence's published documents, when they are here.
check_conformance() {
  local name=$1 port=$2 output
  if [ -z "${SEQUENCE_OPENAPI_DIR:-}" ] && [ ! -d ../shared/sequence-openapi ]; then
    echo "SKIP: $name drift check: no Sequence documents (../shared/sequence-openapi or SEQUENCE_OPENAPI_DIR)"
    return
  fi
  if output=$(npx tsx scripts/conformance.ts --url "http://127.0.0.1:$port/api" 2>&1); then
    pass "$name conformance: $(echo "$output" | tail -n 1)"
  else
    fail "$name conformance:"
    echo "$output" | tail -n 40 | sed 's/^/  | /'
  fi
}

# SEQUENCE_MOCK_REPORT_ON_EXIT=1: the client report is in `logs` once the container has stopped.
check_report_in_logs() {
  local name=$1 logs
  logs=$("$engine" logs "$name" 2>&1)
  if echo "$logs" | grep -q '^sequence-mock client report' && echo "$logs" | grep -q 'client "key": '; then
    pass "$name logs end with the client report"
  else
    fail "$name logs have no client report"
    show_logs "$name"
  fi
}

# Run 1: defaults, a generated dataset of 150 users; the drift check; then SIGTERM, and the report in the logs.
name=sequence-mock-test-$$-defaults
port=$(free_port)
start_container "$name" -p "127.0.0.1:$port:8910" -e SEQUENCE_MOCK_REPORT_ON_EXIT=1
check_healthy "$name"
check_users "$name" "$port" 150
check_conformance "$name" "$port"
check_users "$name" "$port" 150
check_stop "$name"
check_report_in_logs "$name"

# Run 2: a fixtures file mounted from the host (4 users).
name=sequence-mock-test-$$-fixtures
port=$(free_port)
start_container "$name" -p "127.0.0.1:$port:8910" \
  -v "$PWD/fixtures/sequence-examples.json:/data/users.json:ro,z" -e SEQUENCE_MOCK_FIXTURES=/data/users.json
check_healthy "$name"
check_users "$name" "$port" 4

summary
((failed == 0))
