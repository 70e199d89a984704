"""Load the synthetic demo agencies, staff and youth (caseapp/demo.py), then print the demo logins.

Safe to run again: it only adds what is missing. `make run` relies on the login table at the end.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from caseapp import demo


class Command(BaseCommand):
    help = (
        "Create two synthetic agencies with teams, demo staff accounts and synthetic youth with "
        "placement histories. Idempotent: a second run adds nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--youth", type=int, default=demo.DEFAULT_YOUTH,
            help=f"Youth in total across both agencies (about 70%% in Alder, 30%% in Birch). "
            f"Default {demo.DEFAULT_YOUTH}.",
        )
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED,
            help=f"Random seed; the same seed gives the same youth. Default {demo.DEFAULT_SEED}.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=demo.BATCH_SIZE,
            help=f"Rows per bulk insert and per transaction. Default {demo.BATCH_SIZE}.",
        )
        parser.add_argument("--quiet", action="store_true", help="No progress output.")
        parser.add_argument("--no-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args, youth, seed, batch_size, quiet, no_logins, **options):
        if youth < 0:
            raise CommandError("--youth cannot be negative.")
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        log = (lambda message: None) if quiet else self.stdout.write
        started = time.monotonic()
        result = demo.run(youth=youth, seed=seed, batch_size=batch_size, log=log)
        elapsed = time.monotonic() - started
        if not quiet:
            created = ", ".join(f"{n} {name}" for name, n in result.created.items())
            totals = ", ".join(f"{n} {name}" for name, n in result.totals.items())
            self.stdout.write(self.style.SUCCESS(f"Demo data ready in {elapsed:.1f} s."))
            self.stdout.write(f"Created now: {created}.")
            self.stdout.write(f"In the demo agencies: {totals}.")
        if not no_logins:
            self.stdout.write(self._login_table(result.logins))
            self.stdout.write(self._authenticator_keys(result.authenticator_keys))

    @staticmethod
    def _authenticator_keys(keys):
        width = max(len("username"), *(len(name) for name in keys)) if keys else len("username")
        out = [
            "",
            "Supervisors, agency staff and admins also enter a code after the password. Add a key below to an",
            "authenticator app (\"enter a setup key\", time-based), or print the current code on this machine with",
            "`DEBUG=true .venv/bin/python manage.py demo_code USERNAME` (DEBUG only; README \"Demo logins\"):",
            "",
        ]
        for name, key in keys.items():
            out.append(f"{name.ljust(width)}  {' '.join(key[i:i + 4] for i in range(0, len(key), 4))}")
        return "\n".join(out)

    @staticmethod
    def _login_table(rows):
        columns = ("username", "role", "agency", "team", "password", "second factor")
        widths = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in columns}
        line = "  ".join("-" * widths[c] for c in columns)
        out = [
            "",
            "Demo logins (synthetic accounts; every one has the same password):",
            "",
            "  ".join(c.ljust(widths[c]) for c in columns).rstrip(),
            line,
        ]
        out += ["  ".join(str(r[c]).ljust(widths[c]) for c in columns).rstrip() for r in rows]
        return "\n".join(out)
