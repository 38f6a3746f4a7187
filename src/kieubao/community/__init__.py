"""Community: associations, experts and intellectuals, country community profiles."""
