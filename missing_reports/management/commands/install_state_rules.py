from django.core.management.base import BaseCommand, CommandError

from caseapp.models import Agency
from missing_reports.rules import install_state_rules


class Command(BaseCommand):
    help = "Copy the known reporting rules of an agency's state into its deadline table (existing rows kept)."

    def add_arguments(self, parser):
        parser.add_argument("agency_codes", nargs="*", help="Agency codes; all agencies when none are given.")

    def handle(self, *codes, **options):
        codes = options["agency_codes"]
        agencies = Agency.objects.filter(code__in=codes) if codes else Agency.objects.all()
        missing = set(codes) - set(agencies.values_list("code", flat=True))
        if missing:
            raise CommandError(f"No agency with code: {', '.join(sorted(missing))}")
        for agency in agencies:
            created = install_state_rules(agency)
            self.stdout.write(f"{agency.code} ({agency.state}): {len(created)} rule(s) added")
