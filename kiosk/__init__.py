"""The certificate kiosk's core."""

import os

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # a kiosk's log is not for adverts
