"""The transaction journal (SQLite), recovery on start, and `kiosk journal`."""
