#!/usr/bin/env bash
# server_capacity.sh — what a Slurm site can really take: a scripted agent
# reports fewer nodes than the network file declares; the controller shows
# declared vs reported vs schedulable nodes, holds the missing ones as
# taken, dispatches no more than the site has (the rest wait, the reason
# naming capacity), refuses what cannot fit at all, follows the reports as
# they change, and leaves a local site to the network file.
exec python3 "$(dirname "$0")/py/server_capacity.py"
