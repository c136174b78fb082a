"""Text and number utilities, with a C accelerator for the hot paths.

>>> from pyti_example_realistic import slugify, gcd
>>> slugify("Hello, World")
'hello-world'
>>> gcd(12, 18)
6
"""
from pyti_example_realistic.mathutil import HAVE_ACCEL, fast_sum, gcd, is_prime, lcm, primes_up_to
from pyti_example_realistic.textutil import count_words, slugify, wrap

__all__ = ["HAVE_ACCEL", "count_words", "fast_sum", "gcd", "is_prime", "lcm", "primes_up_to", "slugify", "wrap"]
