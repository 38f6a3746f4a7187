"""The public portal: home, country pages, the mission finder and guided help."""
