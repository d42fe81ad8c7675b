#!/usr/bin/env bash
# Starts the Entra stand-in, Azurite and the app (dev host) on free ports and calls GET /api/orders
# from each caller in dev/callers/ whose runtime is here (Python with MSAL, MSAL.NET), run as
# README.md shows; one line per caller; exits 1 when one that could run failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
# The app itself must be built (dist/); the launcher builds the dev tools when stale.
[ -f dist/functions/orders.js ] || npm run -s build
exec node dev/launch/devTool.cjs callers/runCallers "$@"
