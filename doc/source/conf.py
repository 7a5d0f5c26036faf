"""Sphinx configuration for the openstack-netperf documentation."""

extensions = [
    'openstackdocstheme',
    'sphinx.ext.autodoc',
    'oslo_config.sphinxext',
]

openstackdocs_repo_name = 'x/openstack-netperf'
openstackdocs_use_storyboard = False
openstackdocs_auto_name = False
openstackdocs_bug_project = 'openstack-netperf'
openstackdocs_bug_tag = ''

project = 'openstack-netperf'
copyright = '2026, openstack-netperf developers'
master_doc = 'index'
exclude_patterns = ['_build']
pygments_style = 'native'
html_theme = 'openstackdocs'
