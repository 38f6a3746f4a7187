"""Citizen protection (bảo hộ công dân): cases from every channel, worked by procedure."""
