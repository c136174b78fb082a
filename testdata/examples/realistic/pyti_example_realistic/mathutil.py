"""Number utilities."""
try:
    from pyti_example_realistic import _accel
except ImportError:  # not built: the pure-Python fallbacks run
    _accel = None

HAVE_ACCEL = _accel is not None


def gcd(a, b):
    """Greatest common divisor.

    >>> gcd(0, 5)
    5
    >>> gcd(21, 6)
    3
    """
    a, b = abs(a), abs(b)
    while b:
        a, b = b, a % b
    return a


def lcm(a, b):
    """Least common multiple.

    >>> lcm(4, 6)
    12
    """
    if a == 0 or b == 0:
        return 0
    return abs(a * b) // gcd(a, b)


def is_prime(n):
    """Whether n is prime, in C when the accelerator was built.

    >>> [k for k in range(20) if is_prime(k)]
    [2, 3, 5, 7, 11, 13, 17, 19]
    """
    if _accel is not None:
        return bool(_accel.is_prime(n))
    if n < 2:
        return False
    k = 2
    while k * k <= n:
        if n % k == 0:
            return False
        k += 1
    return True


def primes_up_to(limit):
    """The primes below limit, by the sieve of Eratosthenes.

    >>> primes_up_to(10)
    [2, 3, 5, 7]
    """
    if limit < 3:
        return []
    sieve = [True] * limit
    sieve[0] = sieve[1] = False
    for i in range(2, int(limit ** 0.5) + 1):
        if sieve[i]:
            sieve[i * i::i] = [False] * len(range(i * i, limit, i))
    return [i for i, prime in enumerate(sieve) if prime]


def fast_sum(values):
    """The sum of a list of integers.

    >>> fast_sum([1, 2, 3])
    6
    """
    if _accel is not None:
        return _accel.sum_ints(list(values))
    return sum(values)
