"""Nova: API (uwsgi), conductor and scheduler on the controller,
libvirtd and nova-compute (QEMU TCG) on each compute node."""

from __future__ import annotations

import os
import shlex

from openstack_netperf.sandbox import services
from openstack_netperf.sandbox import settings as settings_mod

C = services.CONTROLLER
# uwsgi-served APIs: service name -> (WSGI module, port name).
API_SERVICES = {
    'nova-api': ('nova.wsgi.osapi_compute:application', 'nova'),
    'nova-metadata': ('nova.wsgi.metadata:application', 'nova-metadata'),
}


def conf_file(ctx: services.Context, node: str = C) -> str:
    return ctx.conf.etc(node, 'nova', 'nova.conf')


def _client_sections(ctx: services.Context) -> dict[str, dict]:
    return {
        'placement': ctx.auth_section('nova'),
        'neutron': ctx.auth_section('nova'),
        'oslo_concurrency': {'lock_path': ctx.conf.state('nova', 'lock')},
        'oslo_messaging_notifications': {'driver': 'noop'},
        'vnc': {'enabled': False},
    }


def controller_configs(ctx: services.Context) -> dict[str, str]:
    conf = ctx.conf
    default = services.common_default(ctx, C, 'nova')
    del default['log_file']
    default.update({'my_ip': conf.controller_ip,
                    'state_path': conf.state('nova'),
                    'host': C})
    sections = {
        'DEFAULT': default,
        'api': {'auth_strategy': 'keystone'},
        'api_database': {'connection': ctx.db_url('nova_api')},
        'database': {'connection': ctx.db_url('nova')},
        'keystone_authtoken': ctx.authtoken('nova'),
        'scheduler': {'discover_hosts_in_cells_interval': 10,
                      'workers': 1},
        'conductor': {'workers': 1},
        'wsgi': {'api_paste_config': os.path.join(
            conf.venv_dir, 'etc', 'nova', 'api-paste.ini')},
        'quota': {'instances': 50, 'cores': 100, 'ram': 65536},
    }
    sections.update(_client_sections(ctx))
    # The metadata API trusts the metadata agent's signed requests.
    sections['neutron'].update({'service_metadata_proxy': True,
                                'metadata_proxy_shared_secret': ctx.password})
    files = {conf_file(ctx): services.render_ini(sections)}
    for service in API_SERVICES:
        files[ctx.conf.etc(C, 'nova', '%s.conf' % service)] = (
            services.render_ini({'DEFAULT': {'log_file': conf.log(
                C, service)}}))
    return files


def compute_configs(ctx: services.Context,
                    node: settings_mod.Node) -> dict[str, str]:
    state = ctx.conf.state('nodes', node.name, 'nova')
    default = services.common_default(ctx, node.name, 'nova-compute')
    default.update({
        'host': node.name,
        'my_ip': node.mgmt_ip,
        'compute_driver': 'libvirt.LibvirtDriver',
        'state_path': state,
        'instances_path': os.path.join(state, 'instances'),
        # SSH keys reach guests on a config drive: no metadata proxy.
        'force_config_drive': True,
        'mkisofs_cmd': 'genisoimage',
        'reserved_host_memory_mb': 256,
    })
    sections = {
        'DEFAULT': default,
        'libvirt': {'virt_type': 'qemu', 'cpu_mode': 'none'},
        'workarounds': {'disable_rootwrap': True},
        'os_vif_ovs': {'ovsdb_connection': 'tcp:127.0.0.1:6640'},
    }
    sections.update(_client_sections(ctx))
    sections['oslo_concurrency'] = {'lock_path': os.path.join(state, 'lock')}
    return {conf_file(ctx, node.name): services.render_ini(sections)}


def manage(ctx: services.Context, *args: str) -> list[str]:
    return [ctx.conf.venv_bin('nova-manage'), '--config-file',
            conf_file(ctx)] + list(args)


def bootstrap_commands(ctx: services.Context) -> list[list[str]]:
    return [
        manage(ctx, 'api_db', 'sync'),
        manage(ctx, 'cell_v2', 'map_cell0', '--database_connection',
               ctx.db_url('nova_cell0')),
        manage(ctx, 'cell_v2', 'create_cell', '--name', 'cell1'),
        manage(ctx, 'db', 'sync'),
    ]


def discover_hosts(ctx: services.Context) -> list[str]:
    return manage(ctx, 'cell_v2', 'discover_hosts')


def controller_daemons(ctx: services.Context) -> list[services.Daemon]:
    conf = ctx.conf
    # The first file is the paste pipeline, the others oslo.config files.
    paste = os.path.join(conf.venv_dir, 'etc', 'nova', 'api-paste.ini')
    daemons = []
    for service, (module, port_name) in API_SERVICES.items():
        port = conf.port(port_name)
        env = (('OS_NOVA_CONFIG_DIR', os.path.dirname(conf_file(ctx))),
               ('OS_NOVA_CONFIG_FILES', '%s;nova.conf;%s.conf'
                % (paste, service)))
        daemons.append(services.Daemon(
            C, service, services.uwsgi_argv(ctx, module, port), env, port,
            http=True))
    for service in ('nova-conductor', 'nova-scheduler'):
        daemons.append(services.Daemon(
            C, service, (conf.venv_bin(service), '--config-file',
                         conf_file(ctx), '--log-file', conf.log(C,
                                                                service))))
    return daemons


def libvirt_qemu_conf() -> str:
    """qemu.conf for a node: root-run QEMU, no cgroups, no virtlogd."""
    return '\n'.join([
        'user = "root"',
        'group = "root"',
        'dynamic_ownership = 0',
        'security_driver = "none"',
        'cgroup_controllers = [ ]',
        'namespaces = [ ]',
        'stdio_handler = "file"',
    ]) + '\n'


def libvirt_qemu_hook(log: str) -> str:
    """libvirt's qemu hook for a compute node: guest taps end up up.

    os-vif puts the guest's port on the netdev ``br-int`` before the tap
    exists; libvirt then creates the tap and sets it up while
    ovs-vswitchd, woken by the new device, opens it and turns on
    PROMISC with a read-modify-write of flags it read a moment earlier
    (``update_flags`` in OVS's lib/netdev-linux.c).  When libvirt's
    IFF_UP lands in between, OVS writes the tap back down, and nothing
    sets it up again: the guest never gets a DHCP lease.  Once QEMU has
    started, this waits until OVS has the port (an ``ofport``, written
    after PROMISC) and sets every tap that is down up, logging it.
    """
    return '\n'.join([
        '#!/bin/sh',
        '# Written by netperf-sandbox (services/nova.py libvirt_qemu_hook).',
        '[ "$2" = started ] || exit 0',
        'PATH=$PATH:/usr/sbin:/usr/bin:/sbin:/bin',
        "for tap in $(sed -n \"s/.*<target dev=[\\\"']\\(tap[^\\\"']*\\)"
        "[\\\"'].*/\\1/p\"); do",
        '    ovs-vsctl --timeout=30 wait-until Interface "$tap" "ofport>0" ||',
        '        echo "$(date -u +%FT%T.%NZ) $1 $tap: no ofport after 30 s"',
        '    link=$(ip -o link show "$tap")',
        '    case "$link" in',
        '        *[\\<,]UP[,\\>]*) ;;',
        '        *) echo "$(date -u +%FT%T.%NZ) $1 $tap: down once in'
        ' Open vSwitch, setting it up: $link"',
        '           ip link set "$tap" up ;;',
        '    esac',
        'done >> %s 2>&1' % shlex.quote(log),
        'exit 0',
    ]) + '\n'


def compute_daemons(ctx: services.Context,
                    node: settings_mod.Node) -> list[services.Daemon]:
    conf = ctx.conf
    return [
        services.Daemon(node.name, 'libvirtd', ('libvirtd',)),
        services.Daemon(node.name, 'nova-compute', (
            conf.venv_bin('nova-compute'), '--config-file',
            conf_file(ctx, node.name), '--log-file',
            conf.log(node.name, 'nova-compute'))),
    ]
