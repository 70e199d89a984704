"""How far "in the future" a typed time may be before a service refuses it: every verb asks this one value."""

import datetime

# Clocks on two devices rarely agree to the second: allow this much "future" before refusing.
CLOCK_SKEW = datetime.timedelta(minutes=5)
