#!/usr/bin/env bash
# agent_fake.sh — the real `suanwang agent` against a fake controller
# (tests/e2e/py/fake_controller.py): registration, assignments run to their
# end with the right fence, logs, cancel, walltime, stop, stale reports, a
# controller outage with events resent once, 300 concurrent tasks, shutdown.
exec python3 "$(dirname "$0")/py/agent_fake.py"
