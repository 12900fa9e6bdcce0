"""The services the kiosk hosts (plugins through the kiosk.services entry points) and their API."""
