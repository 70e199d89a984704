from django.core.management.base import BaseCommand, CommandError

from caseapp.models import Agency
from missing_reports import deadlines
from missing_reports.rules import effective_table


class Command(BaseCommand):
    help = (
        "List the deadlines in effect for agencies (federal, state and agency rules merged). A state's rules "
        "apply without being copied into the agency's table, so nothing is added."
    )

    def add_arguments(self, parser):
        parser.add_argument("agency_codes", nargs="*", help="Agency codes; all agencies when none are given.")

    def handle(self, *args, **options):
        codes = options["agency_codes"]
        agencies = Agency.objects.filter(code__in=codes) if codes else Agency.objects.all()
        missing = set(codes) - set(agencies.values_list("code", flat=True))
        if missing:
            raise CommandError(f"No agency with code: {', '.join(sorted(missing))}")
        for agency in agencies.order_by("code"):
            known = len(deadlines.STATE_RULES.get(agency.state, ()))
            self.stdout.write(
                f"{agency.code} ({agency.state or 'no state'}): {known} state rule(s) known; they apply without "
                "being copied, so nothing was added. Deadlines in effect:"
            )
            for row in effective_table(agency):
                line = f"{row.event} → {row.party}: {row.span} ({row.origin}: {row.source})"
                if row.in_effect:
                    self.stdout.write(f"  {line}" + (f"; {row.note}" if row.note else ""))
                else:
                    self.stdout.write(f"    not applied: {line}. {row.note[:1].upper()}{row.note[1:]}")
