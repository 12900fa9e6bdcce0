"""The lab: the reference center, emulated cards, lab parts, the demo's hands. Never loaded
by a kiosk in service."""
