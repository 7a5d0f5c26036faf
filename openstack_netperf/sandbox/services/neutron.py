"""Neutron: API (uwsgi) and RPC server on the controller; OVS, L3 and
DHCP agents on the nodes (ML2/OVS, VXLAN, l2population, DVR)."""

from __future__ import annotations

import os

from openstack_netperf.sandbox import ovs_agent
from openstack_netperf.sandbox import services
from openstack_netperf.sandbox import settings as settings_mod

C = services.CONTROLLER
DVR_BASE_MAC = 'fa:16:3f:00:00:00'
PHYSNET = 'physnet1'
OVS_AGENT = 'neutron-openvswitch-agent'


def etc(ctx: services.Context, node: str, name: str) -> str:
    return ctx.conf.etc(node, 'neutron', name)


def server_configs(ctx: services.Context) -> dict[str, str]:
    conf = ctx.conf
    default = services.common_default(ctx, C, 'neutron-api')
    default.update({
        'host': C,
        'core_plugin': 'ml2',
        'service_plugins': 'router',
        'auth_strategy': 'keystone',
        'state_path': conf.state('neutron'),
        'api_paste_config': os.path.join(conf.venv_dir, 'etc', 'neutron',
                                         'api-paste.ini'),
        'allow_overlapping_ips': True,
        'router_distributed': True,
        'dvr_base_mac': DVR_BASE_MAC,
        'global_physnet_mtu': 1500,
        'dhcp_agents_per_network': 1,
        'notify_nova_on_port_status_changes': True,
        'notify_nova_on_port_data_changes': True,
        'api_workers': 1,
        'rpc_workers': 1,
        'rpc_state_report_workers': 1,
    })
    neutron_conf = services.render_ini({
        'DEFAULT': default,
        'database': {'connection': ctx.db_url('neutron')},
        'keystone_authtoken': ctx.authtoken('neutron'),
        'nova': ctx.auth_section('nova'),
        'oslo_concurrency': {'lock_path': conf.state('neutron', 'lock')},
        'quotas': {'quota_network': 100, 'quota_subnet': 100,
                   'quota_port': 500, 'quota_router': 50,
                   'quota_floatingip': 100,
                   'quota_security_group': 100,
                   'quota_security_group_rule': 1000},
    })
    ml2 = services.render_ini({
        'ml2': {'type_drivers': 'flat,vxlan',
                'tenant_network_types': 'vxlan',
                'mechanism_drivers': 'openvswitch,l2population',
                'extension_drivers': 'port_security'},
        'ml2_type_flat': {'flat_networks': PHYSNET},
        'ml2_type_vxlan': {'vni_ranges': '1:1000'},
        'securitygroup': {'enable_security_group': True},
    })
    rpc_log = services.render_ini(
        {'DEFAULT': {'log_file': conf.log(C, 'neutron-rpc-server')}})
    return {etc(ctx, C, 'neutron.conf'): neutron_conf,
            etc(ctx, C, 'ml2_conf.ini'): ml2,
            etc(ctx, C, 'rpc-server.conf'): rpc_log}


def db_sync_command(ctx: services.Context) -> list[str]:
    return [ctx.conf.venv_bin('neutron-db-manage'),
            '--config-file', etc(ctx, C, 'neutron.conf'),
            '--config-file', etc(ctx, C, 'ml2_conf.ini'),
            'upgrade', 'heads']


def server_daemons(ctx: services.Context) -> list[services.Daemon]:
    conf = ctx.conf
    port = conf.port('neutron')
    api_env = (('OS_NEUTRON_CONFIG_DIR', os.path.dirname(
        etc(ctx, C, 'neutron.conf'))),
        ('OS_NEUTRON_CONFIG_FILES', 'neutron.conf;ml2_conf.ini'))
    return [
        services.Daemon(C, 'neutron-api', services.uwsgi_argv(
            ctx, 'neutron.wsgi.api:application', port), api_env, port,
            http=True),
        services.Daemon(C, 'neutron-rpc-server', (
            conf.venv_bin('neutron-rpc-server'),
            '--config-file', etc(ctx, C, 'neutron.conf'),
            '--config-file', etc(ctx, C, 'ml2_conf.ini'),
            '--config-file', etc(ctx, C, 'rpc-server.conf'))),
    ]


def agent_configs(ctx: services.Context,
                  node: settings_mod.Node) -> dict[str, str]:
    state = ctx.conf.state('nodes', node.name, 'neutron')
    neutron_conf = services.render_ini({
        'DEFAULT': {
            'debug': False,
            'use_stderr': False,
            'host': node.name,
            'transport_url': ctx.transport_url,
            'state_path': state,
            'core_plugin': 'ml2',
        },
        'agent': {'root_helper': 'sudo'},
        'oslo_concurrency': {'lock_path': os.path.join(state, 'lock')},
    })
    ovs_agent = services.render_ini({
        'ovs': {'datapath_type': 'netdev',
                'local_ip': node.tunnel_ip,
                'bridge_mappings': '%s:br-ex' % PHYSNET,
                'ovsdb_connection': 'tcp:127.0.0.1:6640'},
        'agent': {'tunnel_types': 'vxlan',
                  'l2_population': True,
                  'arp_responder': True,
                  'enable_distributed_routing': True},
        'securitygroup': {'firewall_driver': 'openvswitch',
                          'enable_security_group': True},
    })
    netdev = {'datapath_type': 'netdev'}
    files = {
        etc(ctx, node.name, 'neutron.conf'): neutron_conf,
        etc(ctx, node.name, 'openvswitch_agent.ini'): ovs_agent,
        etc(ctx, node.name, 'l3_agent.ini'): services.render_ini({
            'DEFAULT': {'interface_driver': 'openvswitch',
                        'agent_mode': node.l3_agent_mode,
                        # Metadata comes from the DHCP namespace instead.
                        'enable_metadata_proxy': False},
            'ovs': netdev,
        }),
    }
    if node.role == settings_mod.NETWORK:
        # Every network's DHCP port serves 169.254.169.254 (a host route
        # pushed by DHCP), whatever router the network has, if any.
        # dnsmasq logs every DHCP exchange (--log-dhcp) to
        # <log dir>/<node>/dnsmasq/<network id>/dhcp_dns_log: a guest
        # without a lease shows there whether its discovers arrived.
        log_dir = dnsmasq_log_dir(ctx.conf, node)
        files[etc(ctx, node.name, 'dhcp_agent.ini')] = services.render_ini({
            'DEFAULT': {'interface_driver': 'openvswitch',
                        'enable_isolated_metadata': True,
                        'force_metadata': True,
                        'dnsmasq_base_log_dir': log_dir},
            'ovs': netdev,
        })
        files[etc(ctx, node.name, 'metadata_agent.ini')] = (
            services.render_ini({'DEFAULT': {
                'nova_metadata_host': ctx.conf.controller_ip,
                'nova_metadata_port': ctx.conf.port('nova-metadata'),
                'metadata_proxy_shared_secret': ctx.password,
                'metadata_workers': 1,
            }}))
    return files


def dnsmasq_log_dir(conf: settings_mod.SandboxSettings,
                    node: settings_mod.Node) -> str:
    """dnsmasq's DHCP logs, one ``<network id>/dhcp_dns_log`` each."""
    return os.path.join(conf.log_dir, node.name, 'dnsmasq')


def agent_command(ctx: services.Context, binary: str) -> tuple[str, ...]:
    """The agent's program; the OVS agent runs through ovs_agent.py.

    ``-P``: the wrapper's directory (this package) stays off sys.path.
    """
    if binary == OVS_AGENT:
        return (ctx.conf.venv_bin('python3'), '-P',
                os.path.abspath(ovs_agent.__file__))
    return (ctx.conf.venv_bin(binary),)


def agent_daemons(ctx: services.Context,
                  node: settings_mod.Node) -> list[services.Daemon]:
    conf = ctx.conf
    agents = [(OVS_AGENT, 'openvswitch_agent.ini'),
              ('neutron-l3-agent', 'l3_agent.ini')]
    if node.role == settings_mod.NETWORK:
        agents += [('neutron-dhcp-agent', 'dhcp_agent.ini'),
                   ('neutron-metadata-agent', 'metadata_agent.ini')]
    daemons = []
    for binary, ini in agents:
        daemons.append(services.Daemon(node.name, binary, (
            *agent_command(ctx, binary),
            '--config-file', etc(ctx, node.name, 'neutron.conf'),
            '--config-file', etc(ctx, node.name, ini),
            '--log-file', conf.log(node.name, binary))))
    return daemons
