"""SMS kept in memory (`caseapp.sms.locmem.outbox`), like Django's locmem email backend: for tests."""

outbox: list[tuple[str, str]] = []


class SmsBackend:
    def send(self, to: str, text: str) -> str:
        outbox.append((to, text))
        return f"locmem-{len(outbox)}"
