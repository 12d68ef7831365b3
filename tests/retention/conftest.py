"""The indicators' hand-computed period (Feb–Mar 2026), for the test that destroys some of it."""

from tests.indicators.conftest import world  # noqa: F401 - a fixture, used by name
