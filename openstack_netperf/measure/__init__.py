"""What is measured in the guests: iperf3, ping, and their statistics."""
