"""Print the current second-factor code of a demo login, so the demo can be tried without a phone.

Only with DEBUG on (the development setup of `make run`) and only for the synthetic demo logins of
caseapp/demo_data.py: on a real installation a code comes from the person's own authenticator app, never from
the server (docs/security.md).
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from caseapp import demo_data, two_factor
from caseapp.models import User


class Command(BaseCommand):
    help = "Print the current authenticator code of a synthetic demo login (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="A demo login, e.g. supervisor (see the table seed_demo prints).")

    def handle(self, *args, username, **options):
        if not settings.DEBUG:
            raise CommandError("demo_code works only with DEBUG on (make run): real codes come from the person's app.")
        if username not in {spec.username for spec in demo_data.STAFF}:
            raise CommandError(f"{username!r} is not one of the synthetic demo logins; this command serves only those.")
        user = User.objects.filter(username=username).first()
        device = two_factor.authenticator_of(user) if user else None
        if device is None:
            raise CommandError(
                f"{username} has no authenticator app: run seed_demo, or log in with the password alone."
            )
        clock = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        clock.time = time.time()
        left = int(device.step - (clock.time - device.t0) % device.step)
        self.stdout.write(f"{clock.token():0{device.digits}d}")
        self.stderr.write(f"Valid for about {left} s more; each code signs in once.")
