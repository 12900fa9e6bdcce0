"""``kiosk record``: session files written from a live kiosk, that replay what happened."""
