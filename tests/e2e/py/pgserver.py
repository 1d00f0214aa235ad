"""pgserver.py — a throw-away PostgreSQL server for the end-to-end tests:
scripts/pg-up.sh brings it up in a folder of its own, scripts/pg-down.sh
stops it (by its PID) and removes the folder.

    pg = PgServer.start()   # None, after printing why, when PostgreSQL
                            # cannot be run here (pg-up.sh exits 77)
    pg.url                  # postgresql://suanwang@127.0.0.1:PORT/suanwang
    pg.stop()
"""
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


class PgServer:
    def __init__(self, env):
        self.env = env
        self.url = env["SW_PG_URL"]
        self.admin_url = env["SW_PG_ADMIN_URL"]
        self.dir = env["SW_PG_DIR"]

    @classmethod
    def start(cls):
        p = subprocess.run(["bash", os.path.join(ROOT, "scripts", "pg-up.sh")],
                           capture_output=True, text=True)
        if p.returncode == 77:
            print("cannot run PostgreSQL here:", p.stderr.strip().splitlines()[-1:])
            return None
        if p.returncode != 0:
            raise RuntimeError(f"scripts/pg-up.sh failed ({p.returncode}): {p.stderr}")
        env = {}
        for line in p.stdout.splitlines():
            if line.startswith("export ") and "=" in line:
                k, _, v = line[len("export "):].partition("=")
                env[k] = v
        print(p.stderr.strip(), file=sys.stderr)
        return cls(env)

    def stop(self):
        subprocess.run(["bash", os.path.join(ROOT, "scripts", "pg-down.sh"), self.dir],
                       capture_output=True)
