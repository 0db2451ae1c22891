#!/bin/sh
# Run once by the postgres image when the primary's data directory is created (docker-compose.yml): the role the
# replica clones and streams with, and the pg_hba.conf line that lets it in for replication with its password.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres --set=pw="$REPLICATION_PASSWORD" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'pw';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
