"""Rally plugin of openstack-netperf: contexts, scenarios, SLAs, options.

Rally imports every module of this package (``rally_plugins`` entry
point), so nothing here imports Tempest or test code; the measurement
itself lives in the framework-free :mod:`openstack_netperf` core.
"""
