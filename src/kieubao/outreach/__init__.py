"""Travel advisories per country, their review and publication, and the feeds they go out on."""
