"""Early warning and crisis response: hazard feeds, exposure, alerts, crises and rosters."""
