"""The embedded default: SMS written to the log (and stdout), never sent."""

import itertools
import logging
import sys

log = logging.getLogger(__name__)
_numbers = itertools.count(1)


class SmsBackend:
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, to: str, text: str) -> str:
        message_id = f"console-{next(_numbers)}"
        log.info("SMS to %s: %s", to, text)
        self.stream.write(f"SMS to {to}: {text}\n")
        self.stream.flush()
        return message_id
