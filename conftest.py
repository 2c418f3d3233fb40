"""Root conftest: registers the fixture modules shared by every test layer.

Each module starts what it needs (pcscd with the vpcd reader, a PostgreSQL cluster, meter
simulators) on loopback and stops exactly the processes it started, by PID.
"""

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.postgres",
    "tests.fixtures.meters",
    "tests.fixtures.terminals",
    "tests.fixtures.pcsc",
    "tests.fixtures.station",
    "tests.fixtures.collection",
]
