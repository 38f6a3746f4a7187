"""The registry of citizens abroad: one person, one record."""
