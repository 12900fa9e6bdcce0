"""Practice mode's sample data and stand-ins: a practice visit signs in a sample resident,
orders from one sample town and prints samples marked 見本, with no center, card or money."""
