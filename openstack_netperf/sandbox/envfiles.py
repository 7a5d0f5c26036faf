"""Client-side files for the sandbox: openrc, Rally env spec, tempest.conf.

They are what a user or a functional test needs to point the project's
Rally and Tempest plugins at the sandbox: admin credentials, the node
access over SSH (root, the sandbox key, node names mapped to management
addresses) and the ids of the flavor, image and external network.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shlex

from openstack_netperf.sandbox import services
from openstack_netperf.sandbox.services import sshd
from openstack_netperf.sandbox import settings as settings_mod

IMAGE_NAME = 'netperf-guest'


@dataclasses.dataclass
class CloudIds:
    """Ids looked up in the running cloud (None when absent)."""

    flavor_id: str | None = None
    image_id: str | None = None
    public_network_id: str | None = None


def credentials(ctx: services.Context) -> dict[str, str]:
    return {
        'OS_AUTH_URL': ctx.conf.keystone_url,
        'OS_IDENTITY_API_VERSION': '3',
        'OS_USERNAME': 'admin',
        'OS_PASSWORD': ctx.password,
        'OS_PROJECT_NAME': 'admin',
        'OS_USER_DOMAIN_NAME': 'Default',
        'OS_PROJECT_DOMAIN_NAME': 'Default',
        'OS_REGION_NAME': ctx.conf.region,
        'OS_INTERFACE': 'public',
    }


def openrc(ctx: services.Context) -> str:
    lines = ['# Admin credentials of the netperf sandbox '
             '(source this file).']
    lines += ['export %s=%s' % (k, shlex.quote(v))
              for k, v in credentials(ctx).items()]
    return '\n'.join(lines) + '\n'


def rally_spec(ctx: services.Context) -> str:
    """``rally env create --name netperf-sandbox --spec FILE``."""
    spec = {'openstack': {
        'auth_url': ctx.conf.keystone_url,
        'region_name': ctx.conf.region,
        'https_insecure': False,
        'admin': {
            'username': 'admin',
            'password': ctx.password,
            'project_name': 'admin',
            'user_domain_name': 'Default',
            'project_domain_name': 'Default',
        },
    }}
    return json.dumps(spec, indent=2, sort_keys=True) + '\n'


def node_address_map(conf: settings_mod.SandboxSettings) -> str:
    return ','.join('%s:%s' % (n.name, n.mgmt_ip) for n in conf.nodes)


def tempest_conf(ctx: services.Context, ids: CloudIds) -> str:
    """A tempest.conf for the sandbox with the [netperf] group filled."""
    conf = ctx.conf
    sections: dict[str, dict[str, object]] = {
        'auth': {'admin_username': 'admin',
                 'admin_password': ctx.password,
                 'admin_project_name': 'admin',
                 'admin_domain_name': 'Default',
                 'use_dynamic_credentials': True},
        'identity': {'uri_v3': conf.keystone_url, 'auth_version': 'v3',
                     'region': conf.region},
        'identity-feature-enabled': {'api_v2': False},
        'compute': {'min_compute_nodes': len(conf.computes)},
        'network': {'floating_network_name': 'public',
                    'project_networks_reachable': False},
        'service_available': {'nova': True, 'neutron': True,
                              'glance': True, 'cinder': False,
                              'swift': False},
        'netperf': {
            'node_access': 'ssh',
            'node_user': 'root',
            'node_key_file': sshd.key_path(conf),
            'node_sudo': False,
            'node_address_map': node_address_map(conf),
            'network_node': next(n.name for n in conf.nodes
                                 if n.role == settings_mod.NETWORK),
            # The sandbox's network node is quiet (about 15 background
            # packets per 30 s): 10 s bursts prove the path as well as
            # the default 30 s ones, and 17 tests save 5 minutes.
            'burst_packets': 1000,
        },
    }
    if ids.flavor_id:
        sections['compute']['flavor_ref'] = ids.flavor_id
        sections['netperf']['flavor_ref'] = ids.flavor_id
    if ids.image_id:
        sections['compute']['image_ref'] = ids.image_id
        sections['netperf']['image_ref'] = ids.image_id
    if ids.public_network_id:
        sections['network']['public_network_id'] = ids.public_network_id
        sections['netperf']['public_network_id'] = ids.public_network_id
    return services.render_ini(sections)


def env_dir(conf: settings_mod.SandboxSettings) -> str:
    return conf.state('env')


def files(ctx: services.Context, ids: CloudIds) -> dict[str, str]:
    """Path -> content of every client file."""
    base = env_dir(ctx.conf)
    return {os.path.join(base, 'openrc'): openrc(ctx),
            os.path.join(base, 'rally-env.json'): rally_spec(ctx),
            os.path.join(base, 'tempest.conf'): tempest_conf(ctx, ids)}
