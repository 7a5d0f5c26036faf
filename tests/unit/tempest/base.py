"""A Tempest configuration for unit tests: no tempest.conf, no cloud."""

import fixtures
from tempest.tests import fake_config
import testtools


class TempestConfigTestCase(testtools.TestCase):
    """Tempest's own fake configuration, with the plugin's options.

    ``tempest.config.register_opts`` runs the plugin manager, so the
    ``[netperf]`` group is registered the way a real Tempest run does it.
    """

    def setUp(self):
        super().setUp()
        self.conf_fixture = self.useFixture(fake_config.ConfigFixture())
        # CONF reads the fake configuration (no tempest.conf needed).
        self.useFixture(fixtures.MonkeyPatch('tempest.config.CONF._config',
                                             fake_config.FakePrivate()))

    def set_netperf(self, **options):
        self.conf_fixture.config(group='netperf', **options)
