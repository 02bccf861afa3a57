#!/usr/bin/env bash
# One-shot initialisation of the lead-scoring Airflow deployment: the compose service
# `airflow-init` runs it (as root, like the official Airflow compose file's init service) before
# any other Airflow service starts. Safe to run again: every step is idempotent.
#
#   1. create the shared folders (logs, the state volume) and hand them to AIRFLOW_UID:0;
#   2. migrate the Airflow metadata database (Postgres, service `postgres`);
#   3. create the one-slot pool `warehouse_writer` every task of lead_scoring_daily runs in;
#   4. write the SimpleAuthManager password file for the UI user `admin` from .env.
#
# Secrets are never printed: only the names of variables that still hold a placeholder.
set -euo pipefail

AIRFLOW_UID="${AIRFLOW_UID:-50000}"
STATE_DIR="${LEAD_SCORING_STATE_DIR:-/opt/airflow/state}"
POOL="warehouse_writer"
POOL_DESCRIPTION="lead_scoring_daily: the tasks that open the warehouse, one at a time"
PASSWORDS_FILE="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-${STATE_DIR}/airflow/simple_auth_manager_passwords.json}"

echo "==> Shared folders"
mkdir -p /opt/airflow/logs "${STATE_DIR}/airflow" "${STATE_DIR}/landing" "$(dirname "${PASSWORDS_FILE}")"

placeholders=$(env | awk -F= '/change-me/ {print $1}' | sort | tr '\n' ' ')
if [[ -n "${placeholders}" ]]; then
    echo
    echo "WARNING: these variables still hold a change-me placeholder from .env.example:"
    echo "    ${placeholders}"
    echo "Put real values in .env before this deployment holds real data (docs/deploy.md)."
    echo
fi

echo "==> Airflow $(/entrypoint airflow version)"

echo "==> Migrating the metadata database"
/entrypoint airflow db migrate

echo "==> Pool ${POOL} (1 slot)"
/entrypoint airflow pools set "${POOL}" 1 "${POOL_DESCRIPTION}"

if [[ -n "${_LEAD_SCORING_ADMIN_PASSWORD:-}" ]]; then
    echo "==> UI user admin: password file ${PASSWORDS_FILE}"
    python - "${PASSWORDS_FILE}" <<'PY'
import json, os, sys
path = sys.argv[1]
fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w") as fh:
    json.dump({"admin": os.environ["_LEAD_SCORING_ADMIN_PASSWORD"]}, fh)
    fh.write("\n")
PY
else
    echo "==> AIRFLOW_ADMIN_PASSWORD is empty: the api-server will generate the admin password" \
         "and print it in its log"
fi

echo "==> Ownership ${AIRFLOW_UID}:0 for logs and state"
chown -R "${AIRFLOW_UID}:0" /opt/airflow/logs "${STATE_DIR}"

echo "==> airflow-init done"
