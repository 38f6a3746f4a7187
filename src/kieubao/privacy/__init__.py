"""Personal data protection (Law No. 91/2025/QH15): the record of processing activities,
data-subject requests with their legal deadlines, erasure across every domain, and the
breach register with its 72-hour notification."""
