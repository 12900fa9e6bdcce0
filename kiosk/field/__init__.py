"""The kiosk in service: the main loop, `kiosk run` under systemd, the field parts,
diagnostics, metrics and logs."""
