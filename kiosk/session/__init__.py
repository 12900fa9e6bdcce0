"""The session: one resident's visit as an explicit state machine, split along its seams."""
