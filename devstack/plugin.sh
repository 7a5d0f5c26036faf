# shellcheck shell=bash
# openstack-netperf devstack plugin: installs the package, builds and
# uploads the guest image, creates its flavor and writes the [netperf]
# section of tempest.conf.
#
#   enable_plugin openstack-netperf https://opendev.org/x/openstack-netperf

# shellcheck source=devstack/lib/netperf
source "$(dirname "${BASH_SOURCE[0]}")/lib/netperf"

if is_service_enabled netperf; then
    if [[ $1 == stack && $2 == install ]]; then
        echo_summary "Installing openstack-netperf"
        install_netperf
    elif [[ $1 == stack && $2 == extra ]]; then
        if is_service_enabled n-api; then
            echo_summary "Creating the openstack-netperf flavor"
            create_netperf_flavor
        fi
        if [[ $NETPERF_BUILD_IMAGE == True ]] && is_service_enabled g-api; then
            echo_summary "Building and uploading the openstack-netperf guest image"
            build_and_upload_netperf_image
        fi
    elif [[ $1 == stack && $2 == test-config ]]; then
        if is_service_enabled tempest; then
            echo_summary "Configuring Tempest for openstack-netperf"
            configure_tempest_for_netperf
        fi
    fi

    if [[ $1 == clean ]]; then
        cleanup_netperf
    fi
fi
