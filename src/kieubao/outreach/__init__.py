"""Travel advisories per country, bulletins and case notices: their review and publication,
the feeds they go out on, and the subscribers they are sent to."""
