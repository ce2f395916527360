#!/usr/bin/env bash
# Outside-In behind nginx on this machine: 3 public replicas, the staff app under /staff/, the static site
# under /site/, all on 127.0.0.1 (nginx on :8080 unless --port).
#   deploy/run.sh start [--replicas N] [--port P] [--app-port Q] [--db FILE]  publish if needed, start, wait until all answer
#   deploy/run.sh publish                                         a new snapshot and static site; replicas pick it up
#   deploy/run.sh status | stop | config                          what runs; stop exactly what start started; print nginx.conf
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PYTHON:-.venv/bin/python}" -m deploy.stack "$@"
