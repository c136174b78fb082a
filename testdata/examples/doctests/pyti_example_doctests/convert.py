"""Conversions between Celsius and Fahrenheit."""


def celsius_to_fahrenheit(c):
    """Convert degrees Celsius to degrees Fahrenheit.

    >>> celsius_to_fahrenheit(0)
    32.0
    >>> celsius_to_fahrenheit(-40)
    -40.0
    """
    return c * 9 / 5 + 32.0


def fahrenheit_to_celsius(f):
    """Convert degrees Fahrenheit to degrees Celsius.

    >>> fahrenheit_to_celsius(212)
    100.0
    >>> fahrenheit_to_celsius("hot")
    Traceback (most recent call last):
        ...
    TypeError: temperature must be a number
    """
    if not isinstance(f, (int, float)):
        raise TypeError("temperature must be a number")
    return (f - 32.0) * 5 / 9
