"""A cheap argon2 for the test suite: the same algorithm and hash format as production, tiny cost.

Production argon2 costs about 0.1 s and 100 MiB a hash by design; hundreds of persona users per run
would spend minutes hashing. Tests that check the real parameters put the project's hashers back.
"""

from django.contrib.auth.hashers import Argon2PasswordHasher


class CheapArgon2Hasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 64  # KiB
    parallelism = 1
