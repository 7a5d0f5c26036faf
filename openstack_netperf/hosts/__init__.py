"""Look at the nodes: which path did the traffic take?

``access`` reaches nodes by the names OpenStack reports (SSH or local),
``inspect`` reads namespaces, interface counters, OVS flows and OVS
port counters, ``snapshot`` turns them into counter deltas,
``verdict`` decides from a burst and the background noise whether a flow
crossed the network node, ``probe`` runs that protocol with a ping burst,
and ``cloud`` reads from the admin APIs where routing happens.  No Rally or
Tempest import here: both plugins use these modules.
"""
