"""Valid Kazakh identifiers (IIN/BIN, 12 digits with a check digit) for
the load scripts."""


def check_digit(s):
    """The 12th digit of an IIN or BIN whose first 11 digits are `s`, or
    None when that prefix has none (such prefixes are never issued)."""
    d = [int(c) for c in s]
    a = sum(x * (i + 1) for i, x in enumerate(d)) % 11
    if a != 10:
        return a
    w = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]
    b = sum(x * w[i] for i, x in enumerate(d)) % 11
    return None if b == 10 else b


def with_check_digit(s):
    """`s` (11 digits) with its check digit, or None when it has none."""
    c = check_digit(s)
    return None if c is None else s + str(c)


def bin_from(prefix7, seed):
    """A valid BIN starting with the 7 digits `prefix7`, the next four taken
    from `seed` onwards: the first that has a check digit."""
    for n in range(seed, seed + 10000):
        full = with_check_digit(prefix7 + str(n % 10000).zfill(4))
        if full is not None:
            return full
    raise ValueError("no valid BIN")
