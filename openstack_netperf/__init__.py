"""Framework-free core of openstack-netperf.

Nothing in this package imports Rally or Tempest: both adapters call into
it, so a parser, a statistic, a path rule or a host command lives once.
"""
