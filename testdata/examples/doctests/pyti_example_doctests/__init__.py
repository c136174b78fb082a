"""Temperature conversions, documented and tested by doctests.

>>> from pyti_example_doctests import celsius_to_fahrenheit
>>> celsius_to_fahrenheit(100)
212.0
"""

from pyti_example_doctests.convert import celsius_to_fahrenheit, fahrenheit_to_celsius

__all__ = ["celsius_to_fahrenheit", "fahrenheit_to_celsius"]
