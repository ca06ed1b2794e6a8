"""The ``twinplane`` command. Server commands import server packages lazily, so the SDK-only
install can still run ``twinplane eval``."""
