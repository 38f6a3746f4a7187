"""The portal's kept pages, and the audited actions that change what they show."""

from kieubao.platform.pagecache import PageCache

CHANGES = (
    "advisory.published",  # levels, the map, advice
    "hazard.reported",  # current alerts
    "hazard.updated",
    "crisis.opened",
    "crisis.closed",
    "mission.seeded",  # contacts and jurisdiction
    "bulletin.published",  # community news
)

pages = PageCache(CHANGES)
