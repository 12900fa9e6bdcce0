"""What every part of the kiosk shares: events, the table of states, the view model's types,
ports, reasons, the kana keyboard."""
