"""The individual number (個人番号): 12 digits, the last a check digit of the other 11."""

from __future__ import annotations

NUMBER_DIGITS = 12


def check_digit(first11: str) -> int:
    """The My Number check digit of the first 11 digits (the 個人番号 rule: weights 2..7 from
    the right, 11 minus the sum mod 11, 0 when that is 10 or 11)."""
    if len(first11) != 11 or not first11.isascii() or not first11.isdigit():
        raise ValueError("the check digit is over 11 digits")
    total = 0
    for n, digit in enumerate(reversed(first11), start=1):
        weight = n + 1 if n <= 6 else n - 5
        total += int(digit) * weight
    rest = total % 11
    return 0 if rest <= 1 else 11 - rest


def valid_number(number: str) -> bool:
    """12 ASCII digits whose last is the check digit of the others."""
    return (len(number) == NUMBER_DIGITS and number.isascii() and number.isdigit()
            and check_digit(number[:11]) == int(number[11]))
